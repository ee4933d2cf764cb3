import type { MigrateResult, MigrationOutcome, Migrator, PlannedMigration } from '@mig/core'
import { formatDuration, plural } from '../format.js'
import type { Output } from '../output.js'

export function outcomeToJson(outcome: MigrationOutcome): Record<string, unknown> {
  return {
    version: outcome.version,
    name: outcome.name,
    file: outcome.file,
    repeatable: outcome.repeatable === true,
    durationMs: outcome.durationMs,
  }
}

/** A run's result with how long it waited for the migration lock, which its duration leaves out. */
export interface ReportedRun<Result = MigrateResult> {
  readonly result: Result
  /** Milliseconds waited for a lock another run held; 0 when it was free. */
  readonly lockWaitMs: number
}

/** Runs `run`, noting how long it waited for a lock that another run held. */
export async function withLockWait<Result>(migrator: Migrator, run: () => Promise<Result>): Promise<ReportedRun<Result>> {
  let waited = false
  let lockWaitMs = 0
  const unsubscribes = [
    migrator.on('lock-waiting', () => {
      waited = true
    }),
    migrator.on('lock-acquired', (event) => {
      if (waited) lockWaitMs = event.waitedMs
    }),
  ]
  try {
    return { result: await run(), lockWaitMs }
  } finally {
    for (const unsubscribe of unsubscribes) unsubscribe()
  }
}

export function runToJson({ result, lockWaitMs }: ReportedRun): Record<string, unknown> {
  const migrations = result.migrations.map(outcomeToJson)
  return { direction: result.direction, migrations, durationMs: result.durationMs, lockWaitMs, ...pendingToJson(result) }
}

/** An up's `pending`: the migrations it left pending (beyond `to` or `step`); a down has none. */
export function pendingToJson(result: MigrateResult): { pending?: number } {
  return result.direction === 'up' ? { pending: result.pending ?? 0 } : {}
}

/** Which database a run works on, first, so that a run against the wrong one is seen at once. */
export function printDatabase(output: Output, database: string): void {
  output.line(output.colours.dim(`Database: ${database}`))
}

/** `after waiting 4.1 s for the migration lock`, which a run's duration leaves out. */
function waitedForLock(lockWaitMs: number): string {
  return `after waiting ${formatDuration(lockWaitMs)} for the migration lock`
}

/** ` (after waiting 4.1 s for the migration lock)` after a run's duration, or nothing when the lock was free. */
export function afterLockWait(lockWaitMs: number): string {
  return lockWaitMs ? ` (${waitedForLock(lockWaitMs)})` : ''
}

/** `; 2 migrations still pending` after what an up applied (beyond `--to` or `--step`), or nothing when none is. */
export function stillPending(result: MigrateResult): string {
  return result.pending ? `; ${plural(result.pending, 'migration')} still pending` : ''
}

export function printRunSummary(output: Output, { result, lockWaitMs }: ReportedRun): void {
  const count = result.migrations.length
  const left = stillPending(result)
  if (count === 0) {
    const checked = `(checked in ${formatDuration(result.durationMs)}${lockWaitMs ? `, ${waitedForLock(lockWaitMs)}` : ''})`
    if (result.direction === 'down') output.line(`Nothing to roll back ${checked}.`)
    else output.line(left ? `Nothing to apply ${checked}${left}.` : `Nothing to apply: the database is up to date ${checked}.`)
    return
  }
  const verb = result.direction === 'up' ? 'Applied' : 'Reverted'
  output.line(
    output.colours.bold(
      `${verb} ${plural(count, 'migration')} in ${formatDuration(result.durationMs)}${afterLockWait(lockWaitMs)}${left}.`,
    ),
  )
}

export function plannedToJson(planned: PlannedMigration): Record<string, unknown> {
  return {
    version: planned.version,
    name: planned.name,
    file: planned.file,
    repeatable: planned.repeatable === true,
    direction: planned.direction,
    transaction: planned.transaction,
    sql: planned.sql ?? null,
    runsAgain: planned.runsAgain ?? null,
  }
}

/** `notes`: lines to show under a migration's header, by file (lint findings). */
export function printPlan(
  output: Output,
  plan: readonly PlannedMigration[],
  direction: 'up' | 'down',
  notes?: ReadonlyMap<string, readonly string[]>,
): void {
  const { bold } = output.colours
  if (plan.length === 0) {
    output.line(`Dry run: nothing to ${direction === 'up' ? 'apply' : 'roll back'}.`)
    return
  }
  output.line(
    bold(`Dry run: ${plural(plan.length, 'migration')} would be ${direction === 'up' ? 'applied' : 'reverted'}. Nothing was written.`),
  )
  printPlannedSql(output, plan, notes)
}

/** Each planned migration under a header that says how it runs, with its SQL. */
export function printPlannedSql(output: Output, plan: readonly PlannedMigration[], notes?: ReadonlyMap<string, readonly string[]>): void {
  const { dim, cyan } = output.colours
  for (const planned of plan) {
    output.line()
    const kind = planned.runsAgain ? 'repeatable, runs again' : planned.repeatable ? 'repeatable, new or changed' : planned.direction
    const how = `${kind}, ${planned.transaction ? 'in a transaction' : 'outside a transaction'}`
    output.line(cyan(`-- ${planned.file} (${how})`))
    for (const note of notes?.get(planned.file) ?? []) output.line(note)
    output.line(planned.sql === undefined ? dim('-- a code migration: its SQL is known only when it runs') : planned.sql.trim())
  }
}
