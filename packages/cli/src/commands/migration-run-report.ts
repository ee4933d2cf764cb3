import type { MigrateResult, MigrationOutcome, PlannedMigration } from '@mig/core'
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

export function runToJson(result: MigrateResult): Record<string, unknown> {
  return { direction: result.direction, migrations: result.migrations.map(outcomeToJson), durationMs: result.durationMs }
}

export function printRunSummary(output: Output, result: MigrateResult): void {
  const count = result.migrations.length
  if (count === 0) {
    output.line(result.direction === 'up' ? 'Nothing to apply: the database is up to date.' : 'Nothing to roll back.')
    return
  }
  const verb = result.direction === 'up' ? 'Applied' : 'Reverted'
  output.line(output.colours.bold(`${verb} ${plural(count, 'migration')} in ${formatDuration(result.durationMs)}.`))
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
  }
}

/** `notes`: lines to show under a migration's header, by file (lint findings). */
export function printPlan(
  output: Output,
  plan: readonly PlannedMigration[],
  direction: 'up' | 'down',
  notes?: ReadonlyMap<string, readonly string[]>,
): void {
  const { bold, dim, cyan } = output.colours
  if (plan.length === 0) {
    output.line(`Dry run: ${direction === 'up' ? 'nothing to apply, the database is up to date' : 'nothing to roll back'}.`)
    return
  }
  output.line(
    bold(`Dry run: ${plural(plan.length, 'migration')} would be ${direction === 'up' ? 'applied' : 'reverted'}. Nothing was written.`),
  )
  for (const planned of plan) {
    output.line()
    const how = `${planned.repeatable ? 'repeatable, new or changed' : direction}, ${planned.transaction ? 'in a transaction' : 'outside a transaction'}`
    output.line(cyan(`-- ${planned.file} (${how})`))
    for (const note of notes?.get(planned.file) ?? []) output.line(note)
    output.line(planned.sql === undefined ? dim('-- a code migration: its SQL is known only when it runs') : planned.sql.trim())
  }
}
