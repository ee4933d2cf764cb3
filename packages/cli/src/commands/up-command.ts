import type { LintFinding } from '@mig/lint'
import type { Command } from '../command-context.js'
import { integerFlag, versionFlag } from '../command-line.js'
import type { Output } from '../output.js'
import { dumpAfterFailure, dumpAfterRun } from '../schema-file.js'
import { withMigrator } from '../with-migrator.js'
import { lintPlan } from './lint-plan.js'
import { findingToJson, formatFinding } from './lint-report.js'
import { plannedToJson, printDatabase, printPlan, printRunSummary, runToJson } from './migration-run-report.js'

export const upCommand: Command = async (context) => {
  if (context.flags.fleet) return (await import('../fleet-command.js')).runFleetCommand(context, 'up')
  const { flags, output } = context
  const to = versionFlag(flags, 'to', { minimum: 1 })
  const step = integerFlag(flags, 'step', { minimum: 1 })
  const access = context.flags['dry-run'] ? 'read-only' : 'read-write'
  const verbose = flags.verbose === true
  return withMigrator(context, { loadsCode: true, access, verbose }, async (migrator, { settings, dialect, database, dialectText }) => {
    printDatabase(output, database)
    const linting = !flags['no-lint'] && settings.lint !== false
    // Lint only what is about to run: a no-op up never loads the parser.
    const lint = (plan: Parameters<typeof lintPlan>[0]['plan']) => lintPlan({ plan, settings, dialect, dialectText, context })
    if (flags['dry-run']) {
      const plan = await migrator.plan({ direction: 'up', to, step })
      const linted = linting && plan.length ? await lint(plan) : { findings: [], pathOf: () => '' }
      const notes = new Map(
        plan.map((planned) => [
          planned.file,
          linted.findings
            .filter((finding) => finding.file === planned.file)
            .flatMap((finding) => formatFinding(output, finding, linted.pathOf(finding))),
        ]),
      )
      printPlan(output, plan, 'up', notes)
      const findings = linted.findings.map((finding) => findingToJson(finding, linted.pathOf(finding)))
      return { document: { database, dryRun: true, direction: 'up', migrations: plan.map(plannedToJson), findings } }
    }
    const result = await migrator
      .up({
        to,
        step,
        signal: context.signal,
        cancelSignal: context.cancelSignal,
        beforeRun: linting ? async (plan) => refuseLintErrors(output, await lint(plan)) : undefined,
      })
      .catch((error: unknown) => dumpAfterFailure(migrator, settings, output, error, context.workingDirectory))
    printRunSummary(output, result)
    await dumpAfterRun(migrator, settings, output, [result], context.workingDirectory)
    return { document: { database, dryRun: false, ...runToJson(result) } }
  })
}

async function refuseLintErrors(output: Output, linted: { findings: readonly LintFinding[]; pathOf: (finding: LintFinding) => string }) {
  for (const finding of linted.findings) for (const line of formatFinding(output, finding, linted.pathOf(finding))) output.note(line)
  if (linted.findings.some((finding) => finding.level === 'error')) {
    const { LintFailedError } = await import('@mig/lint')
    throw new LintFailedError({ findings: linted.findings })
  }
}
