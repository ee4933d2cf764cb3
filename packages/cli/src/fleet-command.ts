import type { Driver, FleetResult, FleetShard, FleetWork, PlannedMigration } from '@mig/core'
import { usageError } from './cli-error.js'
import type { CommandContext, CommandResult } from './command-context.js'
import { integerFlag, versionFlag } from './command-line.js'
import { type LintedPlan, lintPlan, lintsBeforeUp, refuseLintErrors, showFindings } from './commands/lint-plan.js'
import { type ReportedRun, runToJson, stillPending, withLockWait } from './commands/migration-run-report.js'
import { driverFromUrl } from './dialect-registry.js'
import { ExitCode, type ExitCodeValue, interruptedExitCode } from './exit-codes.js'
import { refuseFleetDownWithoutTo } from './fleet-down.js'
import { readFleetFlags } from './fleet-flags.js'
import { FleetProgress } from './fleet-progress.js'
import { FleetReport, isFailure, type TargetReport } from './fleet-report.js'
import { resumeCommand } from './fleet-resume.js'
import { targetVersion, VersionGroups } from './fleet-status.js'
import { type CliTarget, type OnlyFilter, targetSource } from './fleet-targets.js'
import { plural } from './format.js'
import type { Output } from './output.js'
import { resolveSettings, type Settings } from './settings.js'
import { migratorOptionsOf } from './with-migrator.js'

export type FleetOperation = 'up' | 'down' | 'status' | 'validate'

/**
 * `mig up|down|status|validate --fleet`: the command on every target, each exactly as a single
 * run with its own lock and history, through core's `runFleet`.
 */
export async function runFleetCommand(context: CommandContext, operation: FleetOperation): Promise<CommandResult> {
  const { flags, output } = context
  const fleetFlags = readFleetFlags(flags)
  const groups = operation === 'status' ? new VersionGroups() : undefined
  const settings = await resolveSettings(flags, context.environment, context.workingDirectory)
  if (operation === 'down') await refuseFleetDownWithoutTo(flags, settings.directory)
  const drivers = new WeakMap<CliTarget, Driver>()
  const lint = operation === 'up' && lintsBeforeUp(flags, settings) ? fleetLinter(context, settings) : undefined
  const work = workOf(operation, context, groups, lint && ((target) => lint(drivers.get(target) as Driver)))
  const source = targetSource(flags, settings, fleetFlags.only, { stdin: process.stdin, workingDirectory: context.workingDirectory })
  for (const url of source.urls) output.redactor.addUrl(url)
  const { isInShard, runFleet } = await import('@mig/core')
  output.useJsonLines()

  const report = new FleetReport(output)
  const progress = new FleetProgress(output).start(async () => {
    if (!source.repeatable) return undefined
    let count = 0
    for await (const target of source.open()) if (!fleetFlags.shard || isInShard(target.id, fleetFlags.shard)) count++
    return count
  })
  let result: Awaited<ReturnType<typeof runFleet<CliTarget, TargetReport>>>
  try {
    result = await runFleet<CliTarget, TargetReport>(
      {
        targets: source.open(),
        driver: async (target) => {
          const driver = await driverFromUrl(target.url, {
            baseDirectory: target.baseDirectory,
            // As without --fleet: only up creates a missing SQLite file; down refuses one, status and validate read it as empty.
            access: operation === 'up' ? 'read-write' : operation === 'down' ? 'existing' : 'read-only',
            schema: target.schema,
          })
          drivers.set(target, driver)
          return driver
        },
        ...(await migratorOptionsOf(settings, { loadsCode: operation !== 'status' })),
        concurrency: fleetFlags.concurrency,
        perServer: fleetFlags.perServer,
        onFailure: fleetFlags.onFailure,
        canary: fleetFlags.canary,
        retries: fleetFlags.retries,
        retryDelayMs: fleetFlags.retryDelayMs,
        shard: fleetFlags.shard,
        signal: context.signal,
        cancelSignal: context.cancelSignal,
        onEvent: (event) => {
          if (event.type === 'target-finished' && isFailure(event.outcome.state)) groups?.addUnread(event.outcome.target.id)
          progress.on(event)
          report.on(event)
        },
      },
      work,
    )
  } finally {
    progress.stop()
  }

  checkTargetsMatched(source.only, fleetFlags.shard, result, output)
  const document = report.summary(result, resumeCommand(operation, flags, result), context.signal.aborted)
  if (groups) {
    output.line()
    for (const line of groups.lines()) output.line(line)
  }
  const failed = result.failed + result.unreachable > 0
  // A signal after every target started interrupted only the targets it cancelled, if any.
  const interrupted = result.stopped === 'aborted' || result.cancelled > 0
  return {
    document: {
      ok: result.failures.length === 0 && result.stopped === undefined,
      ...document,
      ...(groups ? { status: groups.toJson() } : {}),
    },
    exitCode: interrupted ? interruptedExitCode(context.signal) : exitCodeOf(failed, groups, flags['exit-code'] === true),
  }
}

/**
 * A fleet that took no target, or `--only` ids that no target has, once every target was read:
 * a glob over a folder that is not mounted, a mistyped pattern or id would otherwise look like a
 * fleet with nothing to do. `--only` with no id found is refused; the rest are warnings.
 */
function checkTargetsMatched(
  only: OnlyFilter | undefined,
  shard: FleetShard | undefined,
  result: FleetResult<CliTarget, unknown>,
  output: Output,
): void {
  // A run that stopped early did not read every target.
  if (result.stopped !== undefined) return
  const warn = (message: string) => output.note(output.errorColours.yellow(`Warning: ${message}`))
  const unmatched = only?.unmatched() ?? []
  if (unmatched.length > 0) {
    const how = only?.example === undefined ? 'The fleet has no target.' : `Write each as the report prints it, such as ${only.example}.`
    const message = `--only names ${plural(unmatched.length, 'target')} not in the fleet: ${unmatched.join(', ')}. ${how}`
    if (unmatched.length === only?.ids.size) throw usageError(message)
    warn(message)
  } else if (!only && result.done + result.failed + result.unreachable + result.cancelled === 0) {
    warn(
      shard ? `no target of the fleet is in shard ${shard.index}/${shard.count}.` : 'the fleet has no target: its targets matched nothing.',
    )
  }
}

function exitCodeOf(failed: boolean, groups: VersionGroups | undefined, statusExitCode: boolean): ExitCodeValue {
  if (failed) return ExitCode.migrationFailed
  if (groups && statusExitCode && groups.withProblems > 0) return ExitCode.validationFailed
  if (groups && statusExitCode && groups.withPending > 0) return ExitCode.pending
  return ExitCode.success
}

/**
 * Lints each distinct plan once per dialect, as a single `up` lints its plan: the findings are
 * shown once, and a plan with an error-level finding is refused on every target that would run it.
 */
function fleetLinter(context: CommandContext, settings: Settings) {
  const linted = new Map<string, Promise<LintedPlan>>()
  return (driver: Driver) => async (plan: readonly PlannedMigration[]) => {
    const key = `${driver.dialect}\n${plan.map((planned) => planned.file).join('\n')}`
    let result = linted.get(key)
    if (!result) {
      result = lintPlan({ plan, settings, dialect: driver.dialect, dialectText: driver.text, context })
      linted.set(key, result)
      showFindings(context.output, await result)
    }
    await refuseLintErrors(await result)
  }
}

type BeforeRun = (plan: readonly PlannedMigration[]) => Promise<void>

function workOf(
  operation: FleetOperation,
  context: CommandContext,
  groups: VersionGroups | undefined,
  beforeRunOf: ((target: CliTarget) => BeforeRun) | undefined,
): FleetWork<CliTarget, TargetReport> {
  const { flags } = context
  switch (operation) {
    case 'up': {
      const to = versionFlag(flags, 'to', { minimum: 1 })
      const step = integerFlag(flags, 'step', { minimum: 1 })
      return async (migrator, target, run) =>
        runReport(await withLockWait(migrator, () => migrator.up({ ...run, to, step, beforeRun: beforeRunOf?.(target) })))
    }
    case 'down': {
      const to = versionFlag(flags, 'to', { minimum: 0 })
      const step = integerFlag(flags, 'step', { minimum: 1 })
      const all = flags.all === true ? true : undefined
      // Every target ends at one version: one already there or below reverts nothing, and says so.
      const nothing = `nothing to revert: ${all || to === 0n ? 'no migration is applied' : `already at ${String(flags.to)} or below`}`
      return async (migrator, _target, run) =>
        runReport(await withLockWait(migrator, () => migrator.down({ ...run, to, step, all })), nothing)
    }
    case 'status':
      // A read has no point to stop at: the first signal lets it finish, the second cancels it.
      return async (migrator, target, { cancelSignal }) => {
        const { migrations, repeatables } = await migrator.overview({ cancelSignal })
        const version = targetVersion(migrations, repeatables)
        groups?.add(target.id, version)
        return { json: { ...version, label: version.label ?? null }, line: undefined }
      }
    case 'validate':
      return async (migrator, _target, { cancelSignal }) => {
        const { applied, pending, running } = await migrator.validate({ cancelSignal })
        return { json: { valid: true, applied, pending, running }, line: undefined }
      }
  }
}

/**
 * As a single run reports it: what it applied or reverted, and, after an up, how many are still
 * pending. A run that changed nothing prints `nothing` when given (else stays quiet).
 */
function runReport(run: ReportedRun, nothing?: string): TargetReport {
  const { result } = run
  const count = result.migrations.length
  const verb = result.direction === 'up' ? 'applied' : 'reverted'
  return {
    json: runToJson(run),
    line:
      count === 0
        ? nothing
        : `${verb} ${plural(count, 'migration')} (${result.migrations.map((migration) => migration.file).join(', ')})${stillPending(result)}`,
  }
}
