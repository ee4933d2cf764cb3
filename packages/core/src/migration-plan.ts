import type { DialectText, Driver } from './driver.js'
import { InvalidOptionsError, UnknownVersionError, UnsupportedFeatureError } from './errors.js'
import type { History } from './history-check.js'
import type { HistoryRecord } from './history-store.js'
import type { Emit } from './locked-session.js'
import { type Migration, type MigrationScripts, type MigrationStep, migrationInfo, type RepeatableMigration } from './migration.js'
import { holdsSql } from './migration-file-parser.js'
import { checkMigrationStatements } from './migration-statement-check.js'
import { compareVersions } from './migration-version.js'
import type { DownOptions, MigratorSettings, UpOptions } from './migrator-options.js'
import type { PlannedMigration } from './migrator-results.js'
import { planMissingDown } from './missing-migrations.js'
import { dueRepeatables } from './repeatable-history.js'
import { findReruns, type RepeatableReruns } from './repeatable-reruns.js'
import { IrreversibleMigrationError } from './run-errors.js'

/** The migrations one `up` or `down` runs, in order, each with its loaded scripts. */
export interface Plan {
  readonly direction: 'up' | 'down'
  readonly migrations: readonly Migration[]
  readonly scripts: readonly MigrationScripts[]
  /**
   * The first pending migration whose up section holds no SQL yet (what `mig create` writes):
   * it stays pending, and so do the migrations after it, which the plan stops before.
   */
  readonly empty?: Migration
  /** New or changed repeatable migrations left for a later `up`, because versioned migrations stay pending after this one. */
  readonly deferred?: readonly RepeatableMigration[]
  /** Up-to-date repeatable migrations that run again (or would, when deferred) because this plan drops what they create. */
  readonly reruns?: RepeatableReruns
}

/**
 * Pending migrations in version order, cut at `to` or after `step`, and before a migration
 * whose up section is still empty; then, when none stays pending, the new and changed
 * repeatable migrations in name order (a view may need the newest table), with the
 * up-to-date ones that create what the versioned ones drop. Every one is loaded before anything
 * runs.
 */
export async function planUp(history: History, options: UpOptions, text: Pick<DialectText, 'splitStatements'>): Promise<Plan> {
  const pending = pendingUpTo(history, options)
  const loaded = await Promise.all(pending.map((migration) => migration.load()))
  const empty = loaded.findIndex((scripts) => scripts.up.kind === 'sql' && !holdsSql(scripts.up.sql))
  const runs = empty >= 0 ? empty : pending.length
  const reruns = await findReruns(pending.slice(0, runs), loaded.slice(0, runs), history.repeatables, text)
  const due = dueRepeatables(history.repeatables, reruns)
  const extra = { ...(due.length > 0 && { deferred: due }), ...(reruns.size > 0 && { reruns }) }
  if (empty >= 0) {
    return { direction: 'up', migrations: pending.slice(0, empty), scripts: loaded.slice(0, empty), empty: pending[empty], ...extra }
  }
  if (pending.length < history.pending.length) return { direction: 'up', migrations: pending, scripts: loaded, ...extra }
  const repeatableScripts = await Promise.all(due.map((repeatable) => repeatable.load()))
  return {
    direction: 'up',
    migrations: [...pending, ...due],
    scripts: [...loaded, ...repeatableScripts],
    ...(reruns.size > 0 && { reruns }),
  }
}

/** Whether `up` would run anything: a pending migration up to its limits, or (with none left pending) a new or changed repeatable one. */
export function hasWorkUpTo(history: History, options: UpOptions): boolean {
  const pending = pendingUpTo(history, options)
  if (pending.length) return true
  return history.pending.length === 0 && dueRepeatables(history.repeatables).length > 0
}

/** Whether the driver's history SQL has the repeatable migrations' table (an optional part). */
export function canRecordRepeatables(driver: Driver): boolean {
  return driver.text.historySql({ name: 'mig' }).repeatables !== undefined
}

/** A repeatable migration needs its table, which a driver may not have; said before anything runs. */
function checkRepeatableSupport(plan: Plan, driver: Driver): void {
  const repeatable = plan.migrations.find((migration) => migration.repeatable)
  if (repeatable && !canRecordRepeatables(driver)) {
    throw new UnsupportedFeatureError(
      `${repeatable.file} is a repeatable migration, and the ${driver.dialect} driver cannot record one (its history SQL has no repeatables table). Move it into a versioned migration, or use a driver that has one.`,
    )
  }
}

/** The pending migrations `up` would apply, without loading them. */
export function pendingUpTo(history: History, options: UpOptions): Migration[] {
  let plan = [...history.pending]
  if (options.to !== undefined) {
    if (!history.byVersion.has(options.to)) throw new UnknownVersionError({ version: options.to, context: 'to migrate up to' })
    const to = options.to
    plan = plan.filter((migration) => migration.version <= to)
  }
  return options.step === undefined ? plan : plan.slice(0, options.step)
}

/** Applied migrations newest first (one by default, or the missing ones); refuses the whole plan if any has no down. */
export async function planDown(history: History, options: DownOptions): Promise<Plan> {
  if (options.missing) return planMissingDown(history, options.missing === 'including-renumbered' ? 'revert' : 'refuse')
  const applied = [...history.records].sort((a, b) => compareVersions(b.version, a.version))
  let chosen: HistoryRecord[]
  if (options.all) chosen = applied
  else if (options.to !== undefined) {
    if (options.to !== 0 && !history.byVersion.has(options.to) && !history.recordByVersion.has(options.to)) {
      throw new UnknownVersionError({ version: options.to, context: 'to roll back to' })
    }
    const to = options.to
    chosen = applied.filter((record) => record.version > to)
  } else chosen = applied.slice(0, options.step ?? 1)
  // checkHistory has already refused records without a file.
  const migrations = chosen.map((record) => history.byVersion.get(record.version) as Migration)
  const scripts = await Promise.all(migrations.map((migration) => migration.load()))
  scripts.forEach((loaded, index) => {
    if (!loaded.down) throw new IrreversibleMigrationError({ migration: migrationInfo(migrations[index] as Migration) })
  })
  return { direction: 'down', migrations, scripts }
}

/** The step of a plan's migration that runs in the plan's direction. */
export function stepOf(plan: Plan, index: number): MigrationStep {
  const scripts = plan.scripts[index] as MigrationScripts
  return (plan.direction === 'up' ? scripts.up : scripts.down) as MigrationStep
}

/** One transaction for the whole plan cannot include a migration that must run outside one. */
/**
 * What refuses a plan before anything runs: the same checks for a run and for a dry run, so
 * that a dry run that passes is a run that starts.
 */
export function checkPlanRuns(plan: Plan, settings: Pick<MigratorSettings, 'driver' | 'transactionMode'>): void {
  if (settings.transactionMode === 'single') checkSingleTransaction(plan)
  checkMigrationStatements(plan.migrations, plan.scripts, settings.driver.text)
  checkRepeatableSupport(plan, settings.driver)
}

function checkSingleTransaction(plan: Plan): void {
  const outside = plan.migrations.filter((_, index) => !plan.scripts[index]?.transaction)
  if (outside.length) {
    throw new InvalidOptionsError(
      `transactionMode "single" (--single-transaction in the CLI) cannot include ${outside.map((migration) => migration.file).join(', ')}, which must run outside a transaction. Apply up to the migration before it first.`,
    )
  }
}

export function describePlan(plan: Plan): PlannedMigration[] {
  return plan.migrations.map((migration, index) => {
    const step = stepOf(plan, index)
    return {
      ...migrationInfo(migration),
      direction: plan.direction,
      transaction: (plan.scripts[index] as MigrationScripts).transaction,
      sql: step.kind === 'sql' ? step.sql : undefined,
      runsAgain: (migration.repeatable && plan.reruns?.get(migration.name)) || undefined,
    }
  })
}

/**
 * Warns about what an `up` plan (empty for a no-op `up`) leaves out: an empty migration,
 * repeatable migrations that wait, and ones whose file is gone; and says which up-to-date
 * repeatable migrations run again, and why.
 */
export function warnAboutPlan(emit: Emit, plan: Plan, history: History): void {
  if (plan.empty) warnEmpty(emit, plan.empty, history)
  if (plan.deferred) {
    emit({
      type: 'warning',
      migration: undefined,
      message: `${plan.deferred.map((repeatable) => repeatable.file).join(', ')} will run once no versioned migration is pending: a repeatable migration runs after all of them.`,
    })
  }
  for (const [name, reason] of plan.reruns ?? []) {
    const repeatable = history.repeatables.find((comparison) => comparison.name === name)?.migration as RepeatableMigration
    emit({
      type: 'warning',
      migration: migrationInfo(repeatable),
      message: plan.deferred
        ? `would run again: ${reason}. It waits with the other repeatable migrations, and a later up will not know to run it again: apply every pending migration in one up, or change its file (a comment will do) so that it runs again.`
        : `runs again: ${reason}.`,
    })
  }
  for (const removed of history.repeatables.filter((repeatable) => repeatable.state === 'removed')) {
    emit({
      type: 'warning',
      migration: undefined,
      message: `${removed.file} was applied before and its file is gone: removing a repeatable migration drops nothing. Drop what it made in a versioned migration, then stop this warning with mig repair ${forgetArgument(removed.name)} --forget.`,
    })
  }
}

/** A name of digits alone (`030`) would be read as a version by `mig repair`; its path is not. */
function forgetArgument(name: string): string {
  return /^\d+$/.test(name) ? `repeatable/${name}.sql` : name
}

/** A migration created but not written yet is not applied: it would be recorded as done with nothing done. */
function warnEmpty(emit: Emit, empty: Migration, history: History): void {
  const after = history.pending.filter((migration) => migration.version > empty.version)
  emit({
    type: 'warning',
    migration: migrationInfo(empty),
    message:
      'its up section holds no SQL yet, so it stays pending and is not applied' +
      (after.length ? `; ${after.map((migration) => migration.file).join(', ')} after it wait${after.length > 1 ? '' : 's'} too` : '') +
      '. Write the migration, then run up again.',
  })
}
