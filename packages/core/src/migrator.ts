import { baseline } from './baseline.js'
import { monotonicMs } from './clock.js'
import { type Logger, logEvent, type MigratorEvent, type MigratorEventOf, type MigratorEventType } from './events.js'
import { checkHistory } from './history-check.js'
import { type Emit, listMigrations, listRepeatables, readHistory, readHistoryWithoutLock, withCheckedHistory } from './locked-session.js'
import type { MigrationInfo } from './migration.js'
import { runPlan } from './migration-execution.js'
import { checkPlanRuns, describePlan, hasWorkUpTo, planDown, planUp, warnAboutPlan } from './migration-plan.js'
import { checkMigrationStatements } from './migration-statement-check.js'
import { readStatus } from './migration-status.js'
import type { MigrationVersion } from './migration-version.js'
import {
  type BaselineOptions,
  type DownOptions,
  type MigratorOptions,
  type MigratorSettings,
  type ReadOptions,
  type RunOptions,
  resolveMigratorOptions,
  type UpOptions,
  validateDownOptions,
  validateUpOptions,
} from './migrator-options.js'
import type {
  MigrateResult,
  MigrationStatus,
  PlannedMigration,
  RepeatableStatus,
  StatusOverview,
  ValidationResult,
} from './migrator-results.js'
import { type RedoResult, redo } from './redo.js'
import { type Renumbering, type RenumberOptions, renumbering } from './renumbering.js'
import { type RepairOptions, repair } from './repair.js'
import { type ReversibilityReport, type ReversibilityTestOptions, testReversibility } from './reversibility-test.js'
import { describeLiveSchema, onScratchDatabase } from './schema-access.js'
import { type DriftOptions, type DriftResult, detectDrift } from './schema-drift.js'
import { type DumpOptions, dumpSchema } from './schema-dump.js'
import type { SchemaSnapshot } from './schema-snapshot.js'
import { checkBuilt, scratchMigrator } from './scratch-migrator.js'

type Listener<T extends MigratorEventType> = (event: MigratorEventOf<T>) => void

/**
 * Applies, reverts and reports migrations. Every operation opens its own session through the
 * driver and closes it before returning; operations that write take the migration lock first.
 * Each operation lives in a module of its own; this class holds the options and the listeners.
 */
export class Migrator {
  private readonly settings: MigratorSettings
  private readonly logger: Logger | undefined
  private readonly listeners = new Map<MigratorEventType, Set<(event: MigratorEvent) => void>>()
  private readonly emit: Emit = (event) => {
    if (this.logger) logEvent(this.logger, event)
    for (const listener of this.listeners.get(event.type) ?? []) listener(event)
  }

  constructor(options: MigratorOptions) {
    this.settings = resolveMigratorOptions(options)
    this.logger = options.logger
  }

  /** Subscribes to one kind of event; returns a function that unsubscribes. */
  on<T extends MigratorEventType>(type: T, listener: Listener<T>): () => void {
    const listeners = this.listeners.get(type) ?? new Set()
    listeners.add(listener as (event: MigratorEvent) => void)
    this.listeners.set(type, listeners)
    return () => listeners.delete(listener as (event: MigratorEvent) => void)
  }

  /**
   * Applies pending migrations in version order, each in its own transaction. When history
   * already agrees with the files and nothing is pending, it returns without taking the lock:
   * the common start-up case costs one read.
   */
  async up(given: UpOptions = {}): Promise<MigrateResult> {
    const options = validateUpOptions(given)
    const started = monotonicMs()
    const migrations = await listMigrations(this.settings)
    const repeatables = await listRepeatables(this.settings)
    const history = await readHistoryWithoutLock(this.settings, migrations, repeatables, options.cancelSignal)
    if (history && !hasWorkUpTo(history, options) && history.running.size === 0) {
      warnAboutPlan(this.emit, { direction: 'up', migrations: [], scripts: [] }, history)
      return { direction: 'up', migrations: [], durationMs: Math.round(monotonicMs() - started), pending: history.pending.length }
    }
    return withCheckedHistory(
      this.settings,
      this.emit,
      options,
      async (execution, history) => {
        const plan = await planUp(history, options, this.settings.driver.text)
        warnAboutPlan(this.emit, plan, history)
        const result = await runPlan(execution, plan, options)
        const applied = result.migrations.filter((migration) => !migration.repeatable).length
        return { ...result, pending: history.pending.length - applied }
      },
      { listed: migrations, repeatables },
    )
  }

  /** Reverts applied migrations, newest first. Default: one. `missing` reverts those whose file is gone (see {@link DownOptions}). */
  async down(given: DownOptions = {}): Promise<MigrateResult> {
    const options = validateDownOptions(given)
    return withCheckedHistory(
      this.settings,
      this.emit,
      options,
      async (execution, history) => {
        const plan = await planDown(history, options)
        return runPlan(execution, plan, options)
      },
      { missing: options.missing ? 'revert' : 'refuse' },
    )
  }

  /**
   * Reverts the newest applied migration and applies its file again, under one lock: for
   * iterating on the migration you are writing. Its file may have changed since it was applied;
   * it is then reverted with the down SQL recorded when it was applied.
   */
  async redo(options: RunOptions = {}): Promise<RedoResult> {
    return withCheckedHistory(this.settings, this.emit, options, (execution, history) => redo(execution, history, options), {
      newest: 'newest-may-change',
    })
  }

  /** What `up` or `down` would run, with the SQL, without writing anything (not even the history table). */
  async plan(given: ({ direction: 'up' } & UpOptions) | ({ direction: 'down' } & DownOptions)): Promise<PlannedMigration[]> {
    const missing = given.direction === 'down' && Boolean(given.missing)
    const repeatables = given.direction === 'up' ? await listRepeatables(this.settings) : undefined
    const history = await readHistory(this.settings, await listMigrations(this.settings), { check: !missing, repeatables })
    if (missing) checkHistory(history, { allowOutOfOrder: this.settings.allowOutOfOrder, allowMissing: true })
    const plan =
      given.direction === 'up'
        ? await planUp(history, validateUpOptions(given), this.settings.driver.text)
        : await planDown(history, validateDownOptions(given))
    warnAboutPlan(this.emit, plan, history)
    checkPlanRuns(plan, this.settings)
    return describePlan(plan)
  }

  /**
   * Every migration known to the files or to history, by version. Read-only. History that
   * disagrees with the files is reported per migration (`problem`), never thrown; a folder that
   * disagrees with its `mig.sum` is thrown, as by every operation.
   */
  async status(options: ReadOptions = {}): Promise<MigrationStatus[]> {
    return (await readStatus(this.settings, options, false)).migrations
  }

  /** Every repeatable migration known to the files or to history, in the order they run. Read-only. */
  async repeatables(options: ReadOptions = {}): Promise<RepeatableStatus[]> {
    return (await readStatus(this.settings, options)).repeatables
  }

  /** {@link status} and {@link repeatables} at once, from one read of the files and history: what `mig status` shows. Read-only. */
  async overview(options: ReadOptions = {}): Promise<StatusOverview> {
    return readStatus(this.settings, options)
  }

  /**
   * Checks history against the files (failed part-way, missing, edited, out of order) and that
   * every pending migration parses or imports. Read-only. Throws the first problem found.
   */
  async validate(options: ReadOptions = {}): Promise<ValidationResult> {
    const history = await readHistory(this.settings, await listMigrations(this.settings), { ...options, check: true })
    const scripts = await Promise.all(history.pending.map((migration) => migration.load()))
    checkMigrationStatements(history.pending, scripts, this.settings.driver.text)
    const repeatables = await listRepeatables(this.settings)
    checkMigrationStatements(repeatables, await Promise.all(repeatables.map((repeatable) => repeatable.load())), this.settings.driver.text)
    return { applied: history.records.length - history.running.size, pending: history.pending.length, running: history.running.size }
  }

  /** Whether `up` would apply anything: a pending migration, or a new or changed repeatable one. Read-only. */
  async hasPending(options: ReadOptions = {}): Promise<boolean> {
    const repeatables = await listRepeatables(this.settings)
    return hasWorkUpTo(await readHistory(this.settings, await listMigrations(this.settings), { ...options, check: false, repeatables }), {})
  }

  /**
   * Adopts a database whose schema was built before it had migrations: records every migration
   * up to and including `to` as applied without running it, marked as baselined, once a scratch
   * database proves those migrations build the live schema, and, with none left pending, the
   * repeatable migrations whose objects it holds. Without `to` it finds the version; `force`
   * skips the comparison (and the repeatable migrations) and says so in history.
   */
  async baseline(options: BaselineOptions = {}): Promise<MigrationInfo[]> {
    return baseline(this.settings, this.emit, options)
  }

  /** Puts one history row right, explicitly: see {@link RepairResolution}. */
  async repair(options: RepairOptions): Promise<MigrationInfo> {
    return repair(this.settings, this.emit, options)
  }

  /**
   * Which migrations not applied to this database `renumber` would move after the newest, and
   * to which versions (see {@link planRenumbering}). Read-only: renaming the files is the
   * caller's (the CLI renames them in the folder). Two files may share a version here.
   */
  async renumbering(options: RenumberOptions = {}): Promise<Renumbering[]> {
    return renumbering(this.settings, options)
  }

  /** The live schema, without mig's own tables. Needs a driver with schema snapshots. */
  async describeSchema(): Promise<SchemaSnapshot> {
    return describeLiveSchema(this.settings)
  }

  /**
   * The schema the migrations build up to `to` (all of them by default), then the repeatable
   * ones (those named in `repeatables`, or all), on a scratch database removed afterwards.
   */
  async expectedSchema(options: { to?: MigrationVersion; repeatables?: readonly string[] } = {}): Promise<SchemaSnapshot> {
    const { to, repeatables: named } = options
    const migrations = (await listMigrations(this.settings)).filter((migration) => to === undefined || migration.version <= to)
    const repeatables = (await listRepeatables(this.settings)).filter((repeatable) => !named || named.includes(repeatable.name))
    return onScratchDatabase(this.settings.driver, 'build the expected schema', async (driver) => {
      const scratch = scratchMigrator(this.settings, driver, migrations, repeatables)
      const { migrations: applied } = await scratch.up()
      checkBuilt(migrations, applied.filter((migration) => !migration.repeatable).length)
      return scratch.describeSchema()
    })
  }

  /** The live schema, or the one the migrations build, as a SQL script: see {@link dumpSchema}. */
  async dump(options: DumpOptions = {}): Promise<string> {
    return dumpSchema(this.settings.driver, options, (from) => (from === 'migrations' ? this.expectedSchema() : this.describeSchema()))
  }

  /** How the live schema differs from the one the applied migrations build: see {@link detectDrift}. */
  async drift(options: DriftOptions = {}): Promise<DriftResult> {
    return detectDrift(this, this.settings.driver, options)
  }

  /** Whether every down section undoes its up, on a scratch database: see {@link testReversibility}. */
  async testReversibility(options: ReversibilityTestOptions = {}): Promise<ReversibilityReport> {
    const migrations = await listMigrations(this.settings)
    return onScratchDatabase(this.settings.driver, 'test reversibility', (driver) => {
      const scratch = scratchMigrator(this.settings, driver, migrations)
      return testReversibility(scratch, () => scratch.describeSchema(), options)
    })
  }
}
