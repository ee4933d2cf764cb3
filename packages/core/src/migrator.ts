import { baseline } from './baseline.js'
import { type Logger, logEvent, type MigratorEvent, type MigratorEventOf, type MigratorEventType } from './events.js'
import { checkHistory, compareHistory, type History } from './history-check.js'
import { type Emit, listMigrations, readHistory, withLock } from './locked-session.js'
import type { MigrationInfo } from './migration.js'
import { type Execution, runPlan } from './migration-execution.js'
import { describePlan, pendingUpTo, planDown, planUp } from './migration-plan.js'
import { migrationStatus } from './migration-status.js'
import {
  type BaselineOptions,
  type DownOptions,
  type MigratorOptions,
  type MigratorSettings,
  type RunOptions,
  resolveMigratorOptions,
  type UpOptions,
  validateDownOptions,
  validateUpOptions,
} from './migrator-options.js'
import type { MigrateResult, MigrationStatus, PlannedMigration, ValidationResult } from './migrator-results.js'
import { type RepairOptions, repair } from './repair.js'
import { describeLiveSchema, onScratchDatabase } from './schema-access.js'
import type { SchemaSnapshot } from './schema-snapshot.js'
import { scratchMigrator } from './scratch-migrator.js'

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
  async up(options: UpOptions = {}): Promise<MigrateResult> {
    validateUpOptions(options)
    const started = performance.now()
    const migrations = await listMigrations(this.settings)
    // Any doubt (a disagreement, perhaps with a run in progress) goes to the locked path, which decides under the lock.
    const upToDate = await readHistory(this.settings, migrations, { check: true }).then(
      (history) => pendingUpTo(history, options).length === 0 && history.running.size === 0,
      () => false,
    )
    if (upToDate) return { direction: 'up', migrations: [], durationMs: Math.round(performance.now() - started) }
    return this.locked(options, async (execution, history) => runPlan(execution, await planUp(history, options), options))
  }

  /** Reverts applied migrations, newest first. Default: one. */
  async down(options: DownOptions = {}): Promise<MigrateResult> {
    validateDownOptions(options)
    return this.locked(options, async (execution, history) => runPlan(execution, await planDown(history, options), options))
  }

  /** Reverts the newest applied migration and applies it again, under one lock. */
  async redo(options: RunOptions = {}): Promise<{ reverted: MigrateResult; applied: MigrateResult }> {
    return this.locked(options, async (execution, history) => {
      const plan = await planDown(history, { step: 1 })
      const reverted = await runPlan(execution, plan, options)
      // Once reverted, the migration is applied again even if the run is stopped meanwhile (a cancel still cancels).
      const applied = await runPlan(execution, { ...plan, direction: 'up' }, { cancelSignal: options.cancelSignal })
      return { reverted, applied }
    })
  }

  /** What `up` or `down` would run, with the SQL, without writing anything (not even the history table). */
  async plan(options: ({ direction: 'up' } & UpOptions) | ({ direction: 'down' } & DownOptions)): Promise<PlannedMigration[]> {
    if (options.direction === 'up') validateUpOptions(options)
    else validateDownOptions(options)
    const history = await readHistory(this.settings, await listMigrations(this.settings), { check: true })
    return describePlan(options.direction === 'up' ? await planUp(history, options) : await planDown(history, options))
  }

  /** Every migration known to the files or to history, by version. Read-only; never throws for disagreements. */
  async status(): Promise<MigrationStatus[]> {
    return migrationStatus(this.settings)
  }

  /**
   * Checks history against the files (failed part-way, missing, edited, out of order) and that
   * every pending migration parses or imports. Read-only. Throws the first problem found.
   */
  async validate(): Promise<ValidationResult> {
    const history = await readHistory(this.settings, await listMigrations(this.settings), { check: true })
    await Promise.all(history.pending.map((migration) => migration.load()))
    return { applied: history.records.length - history.running.size, pending: history.pending.length, running: history.running.size }
  }

  /** Whether `up` would apply anything. Read-only. */
  async hasPending(): Promise<boolean> {
    return (await readHistory(this.settings, await listMigrations(this.settings), { check: false })).pending.length > 0
  }

  /**
   * Adopts a database whose schema was built before it had migrations: records every migration
   * up to and including `to` as applied without running it, marked as baselined, once a scratch
   * database proves those migrations build the live schema. Without `to` it finds the version;
   * `force` skips the comparison and says so in history.
   */
  async baseline(options: BaselineOptions = {}): Promise<MigrationInfo[]> {
    return baseline(this.settings, this.emit, options)
  }

  /** Puts one history row right, explicitly: see {@link RepairResolution}. */
  async repair(options: RepairOptions): Promise<MigrationInfo> {
    return repair(this.settings, this.emit, options)
  }

  /** The live schema, without mig's own tables. Needs a driver with schema snapshots. */
  async describeSchema(): Promise<SchemaSnapshot> {
    return describeLiveSchema(this.settings)
  }

  /** The schema the migrations build up to `to` (all of them by default), on a scratch database removed afterwards. */
  async expectedSchema(options: { to?: number } = {}): Promise<SchemaSnapshot> {
    const migrations = await listMigrations(this.settings)
    return onScratchDatabase(this.settings.driver, 'build the expected schema', async (driver) => {
      const scratch = scratchMigrator(this.settings, driver, migrations)
      await scratch.up(options.to === undefined ? {} : { to: options.to })
      return scratch.describeSchema()
    })
  }

  /** Runs `work` under the lock, with history read and checked there. */
  private async locked<T>(options: RunOptions, work: (execution: Execution, history: History) => Promise<T>): Promise<T> {
    const migrations = await listMigrations(this.settings)
    // A cancel also stops a wait for the lock.
    const signals = [options.signal, options.cancelSignal].filter((signal): signal is AbortSignal => signal !== undefined)
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0]
    return withLock(this.settings, this.emit, signal, async (locked) => {
      const history = compareHistory(migrations, await locked.store.list())
      checkHistory(history, { allowOutOfOrder: this.settings.allowOutOfOrder })
      return work({ settings: this.settings, locked, emit: this.emit }, history)
    })
  }
}
