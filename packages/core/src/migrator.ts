import { hostname, userInfo } from 'node:os'
import type { Driver, DriverConnection, HistoryTableName, TransactionMode } from './driver.js'
import {
  AbortedError,
  DatabaseError,
  InvalidOptionsError,
  IrreversibleMigrationError,
  MigError,
  MigrationFailedError,
  SchemaMismatchError,
  UnknownVersionError,
} from './errors.js'
import { type Logger, logEvent, type MigratorEvent, type MigratorEventOf, type MigratorEventType, type RepairResolution } from './events.js'
import { checkHistory, compareHistory, type History, infoOf, outOfOrderMigrations, sortMigrations } from './history-check.js'
import { type HistoryRecord, type HistoryState, HistoryStore } from './history-store.js'
import { DEFAULT_HISTORY_TABLE, validateHistoryTableName } from './history-table.js'
import type { Migration, MigrationContext, MigrationInfo, MigrationScripts, MigrationSource, MigrationStep } from './migration.js'
import { holdsSql } from './migration-file-parser.js'
import { type ReversibilityReport, type ReversibilityTestOptions, testReversibility } from './reversibility-test.js'
import { compareSchemas, type SchemaDifference } from './schema-diff.js'
import { type DriftResult, detectDrift } from './schema-drift.js'
import { type DumpOptions, dumpSchema } from './schema-dump.js'
import { type SchemaSnapshot, sortSnapshot } from './schema-snapshot.js'
import { positionInStep, statementAt } from './statement-position.js'

export interface MigratorOptions {
  readonly driver: Driver
  readonly source: MigrationSource
  /** History table name; default `mig_migrations`. */
  readonly table?: string
  /** Schema of the history table, for drivers with schemas (PostgreSQL). */
  readonly schema?: string
  /** Apply pending migrations older than the newest applied one instead of refusing. Default `false`. */
  readonly allowOutOfOrder?: boolean
  /** How long to wait for another run's lock before failing. Default 60 000 ms. */
  readonly lockTimeoutMs?: number
  /**
   * `per-migration` (default): each migration commits on its own with its history row.
   * `single`: everything one `up` or `down` runs commits or rolls back together; needs
   * transactional DDL and no `-- mig:no-transaction` migration in the plan.
   */
  readonly transactionMode?: 'per-migration' | 'single'
  /** Recorded in history as who applied each migration. Default `user@host`. */
  readonly appliedBy?: string
  /** Gets one line per event. The library prints nothing by itself. */
  readonly logger?: Logger
}

export interface RunOptions {
  /** Stops between migrations (and while waiting for the lock); the lock is still released. */
  readonly signal?: AbortSignal
}

export interface UpOptions extends RunOptions {
  /** Apply up to and including this version. */
  readonly to?: number
  /** Apply at most this many migrations. */
  readonly step?: number
}

export interface DownOptions extends RunOptions {
  /** Revert every migration newer than this version (0 reverts all). */
  readonly to?: number
  /** Revert this many migrations, newest first. Default 1 when nothing else is given. */
  readonly step?: number
  /** Revert every applied migration. */
  readonly all?: boolean
}

export interface MigrationOutcome extends MigrationInfo {
  readonly durationMs: number
}

export interface MigrateResult {
  readonly direction: 'up' | 'down'
  /** What this run applied (up) or reverted (down), in the order it happened. */
  readonly migrations: readonly MigrationOutcome[]
  readonly durationMs: number
}

export interface PlannedMigration extends MigrationInfo {
  readonly direction: 'up' | 'down'
  readonly transaction: boolean
  /** The SQL that would run, or undefined for a code migration. */
  readonly sql: string | undefined
}

export type MigrationState = 'pending' | HistoryState

export interface MigrationStatus extends MigrationInfo {
  readonly state: MigrationState
  /** False when history lists a migration whose file is gone. */
  readonly fileFound: boolean
  /** False when the file changed since it was applied; undefined while pending. */
  readonly checksumMatches: boolean | undefined
  /** Pending but older than the newest applied migration. */
  readonly outOfOrder: boolean
  readonly appliedAt: Date | undefined
  readonly executionMs: number | undefined
  readonly appliedBy: string | undefined
  /** Why it failed, or how it was recorded. */
  readonly detail: string | undefined
}

export interface BaselineOptions extends RunOptions {
  /** The newest migration the database already has; found by comparing schemas when absent. */
  readonly to?: number
  /** Record the baseline without comparing schemas; history says it was not verified. */
  readonly force?: boolean
}

export interface ValidationResult {
  /** Migrations in history (applied or baselined), all matching their files. */
  readonly applied: number
  /** Pending migrations, all of which parse or import. */
  readonly pending: number
}

export interface RepairOptions {
  readonly version: number
  readonly resolution: RepairResolution
}

interface Session {
  readonly connection: DriverConnection
  readonly store: HistoryStore
}

const LOCK_WAIT_REPORT_INTERVAL_MS = 5000
const REPAIR_RESOLUTIONS: readonly RepairResolution[] = ['applied', 'rolled-back', 'accept-checksum', 'forget']

type Listener<T extends MigratorEventType> = (event: MigratorEventOf<T>) => void

/**
 * Applies, reverts and reports migrations. Every operation opens its own connection through the
 * driver and closes it before returning; operations that write take the driver's lock first.
 */
export class Migrator {
  private readonly driver: Driver
  private readonly source: MigrationSource
  private readonly table: HistoryTableName
  private readonly allowOutOfOrder: boolean
  private readonly transactionMode: 'per-migration' | 'single'
  private readonly lockTimeoutMs: number
  private readonly appliedBy: string
  private readonly logger: Logger | undefined
  private readonly listeners = new Map<MigratorEventType, Set<(event: MigratorEvent) => void>>()

  constructor(options: MigratorOptions) {
    if (!options?.driver) throw new InvalidOptionsError('Migrator needs a driver, e.g. sqliteDriver({ filename: "app.db" }).')
    if (!options.source) throw new InvalidOptionsError('Migrator needs a source, e.g. fromDirectory("migrations").')
    if (options.schema !== undefined && !options.driver.capabilities.schemas) {
      throw new InvalidOptionsError(`The ${options.driver.dialect} driver has no schemas; remove the schema option.`)
    }
    const lockTimeoutMs = options.lockTimeoutMs ?? 60_000
    if (!Number.isFinite(lockTimeoutMs) || lockTimeoutMs < 0) {
      throw new InvalidOptionsError(`lockTimeoutMs must be a number of milliseconds (0 or more), not ${options.lockTimeoutMs}.`)
    }
    this.driver = options.driver
    this.source = options.source
    this.table = validateHistoryTableName({ name: options.table ?? DEFAULT_HISTORY_TABLE, schema: options.schema })
    this.allowOutOfOrder = options.allowOutOfOrder ?? false
    this.transactionMode = options.transactionMode ?? 'per-migration'
    if (this.transactionMode !== 'per-migration' && this.transactionMode !== 'single') {
      throw new InvalidOptionsError(`transactionMode must be "per-migration" or "single", not ${JSON.stringify(options.transactionMode)}.`)
    }
    if (this.transactionMode === 'single' && !options.driver.capabilities.transactionalDdl) {
      throw new InvalidOptionsError(
        `The ${options.driver.dialect} driver cannot roll back DDL, so transactionMode "single" is not available.`,
      )
    }
    this.lockTimeoutMs = lockTimeoutMs
    this.appliedBy = options.appliedBy ?? defaultAppliedBy()
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
    const migrations = await this.listMigrations()
    if (await this.upToDate(migrations, options))
      return { direction: 'up', migrations: [], durationMs: Math.round(performance.now() - started) }
    return this.locked(options.signal, async (session) => {
      const history = await this.checkedHistory(session.store, migrations)
      const plan = planUp(history, options)
      const scripts = await loadAll(plan)
      return this.runPlan(session, 'up', plan, scripts, options.signal)
    })
  }

  /** Reverts applied migrations, newest first. Default: one. */
  async down(options: DownOptions = {}): Promise<MigrateResult> {
    validateDownOptions(options)
    const migrations = await this.listMigrations()
    return this.locked(options.signal, async (session) => {
      const history = await this.checkedHistory(session.store, migrations)
      const plan = planDown(history, options)
      const scripts = await loadReversible(plan)
      return this.runPlan(session, 'down', plan, scripts, options.signal)
    })
  }

  /** Reverts the newest applied migration and applies it again, under one lock. */
  async redo(options: RunOptions = {}): Promise<{ reverted: MigrateResult; applied: MigrateResult }> {
    const migrations = await this.listMigrations()
    return this.locked(options.signal, async (session) => {
      const history = await this.checkedHistory(session.store, migrations)
      const plan = planDown(history, { step: 1 })
      const scripts = await loadReversible(plan)
      const reverted = await this.runPlan(session, 'down', plan, scripts, options.signal)
      // Once reverted, the migration is applied again even if the run is cancelled meanwhile.
      const applied = await this.runPlan(session, 'up', plan, scripts, undefined)
      return { reverted, applied }
    })
  }

  /** What `up` or `down` would run, with the SQL, without writing anything (not even the history table). */
  async plan(options: ({ direction: 'up' } & UpOptions) | ({ direction: 'down' } & DownOptions)): Promise<PlannedMigration[]> {
    if (options.direction === 'up') validateUpOptions(options)
    else validateDownOptions(options)
    const history = await this.readHistory({ check: true })
    const plan = options.direction === 'up' ? planUp(history, options) : planDown(history, options)
    const scripts = options.direction === 'up' ? await loadAll(plan) : await loadReversible(plan)
    return plan.map((migration, index) => {
      const loaded = scripts[index] as MigrationScripts
      const step = options.direction === 'up' ? loaded.up : (loaded.down as MigrationStep)
      return {
        version: migration.version,
        name: migration.name,
        file: migration.file,
        direction: options.direction,
        transaction: loaded.transaction,
        sql: step.kind === 'sql' ? step.sql : undefined,
      }
    })
  }

  /** Every migration known to the files or to history, by version. Read-only; never throws for disagreements. */
  async status(): Promise<MigrationStatus[]> {
    const history = await this.readHistory({ check: false })
    const outOfOrder = new Set(outOfOrderMigrations(history).map((migration) => migration.version))
    const versions = [...new Set([...history.byVersion.keys(), ...history.recordByVersion.keys()])].sort((a, b) => a - b)
    return versions.map((version) => {
      const migration = history.byVersion.get(version)
      const record = history.recordByVersion.get(version)
      const info = record ? infoOf(history, record) : (migration as Migration)
      return {
        version,
        name: info.name,
        file: info.file,
        state: record?.state ?? 'pending',
        fileFound: migration !== undefined,
        checksumMatches: record && migration ? record.checksum === migration.checksum : undefined,
        outOfOrder: outOfOrder.has(version),
        appliedAt: record?.appliedAt,
        executionMs: record?.executionMs,
        appliedBy: record?.appliedBy,
        detail: record?.detail,
      }
    })
  }

  /**
   * Checks history against the files (failed part-way, missing, edited, out of order) and that
   * every pending migration parses or imports. Read-only. Throws the first problem found.
   */
  async validate(): Promise<ValidationResult> {
    const history = await this.readHistory({ check: true })
    await loadAll(history.pending)
    return { applied: history.records.length, pending: history.pending.length }
  }

  /** Whether `up` would apply anything. Read-only. */
  async hasPending(): Promise<boolean> {
    const history = await this.readHistory({ check: false })
    return history.pending.length > 0
  }

  /**
   * Adopts a database whose schema was built before it had migrations: records every migration
   * up to and including `to` as applied without running it, marked as baselined. First it
   * builds what those migrations produce on a scratch database and compares that with the live
   * schema; on any difference it writes nothing and throws {@link SchemaMismatchError}. Without
   * `to` it finds the newest version whose schema matches. `force` skips the comparison and
   * says so in history.
   */
  async baseline(options: BaselineOptions = {}): Promise<MigrationInfo[]> {
    if (options.to !== undefined && (!Number.isSafeInteger(options.to) || options.to <= 0)) {
      throw new InvalidOptionsError(`baseline's to must be a migration version (a positive integer), not ${options.to}.`)
    }
    if (options.force && options.to === undefined) {
      throw new InvalidOptionsError('baseline with force needs to: without a comparison there is no way to find the version.')
    }
    if (!options.force && (!this.driver.createScratchDatabase || !this.driver.capabilities.schemaSnapshots)) {
      throw new InvalidOptionsError(
        `The ${this.driver.dialect} driver cannot compare schemas, so it cannot verify a baseline. Pass force to record it unverified.`,
      )
    }
    const { migrations, records } = await this.readHistory({ check: false })
    if (options.to !== undefined && !migrations.some((migration) => migration.version === options.to)) {
      throw new UnknownVersionError(options.to, 'to baseline to')
    }
    refuseBaselineOver(records)
    // Compared before the lock is taken, so that a refusal writes nothing at all; compared
    // again under the lock in case the schema changed in between.
    const verified = options.force ? undefined : await this.matchingVersion(migrations, options.to)
    return this.locked(options.signal, async ({ connection, store }) => {
      const history = compareHistory(migrations, await store.list())
      refuseBaselineOver(history.records)
      if (verified) {
        const differences = compareSchemas(verified.expected, await describe(connection, this.table, this.driver.dialect))
        if (differences.length) throw new SchemaMismatchError(verified.migration, differences)
      }
      const to = verified?.migration.version ?? (options.to as number)
      const baselined = history.migrations.filter((migration) => migration.version <= to)
      const detail = options.force ? 'baselined with force: the schema was not compared' : undefined
      const appliedAt = new Date()
      await store.ensureTable()
      await connection.begin()
      try {
        for (const migration of baselined) {
          await store.insert({ ...migration, state: 'baselined', appliedAt, executionMs: 0, appliedBy: this.appliedBy, detail })
        }
        await connection.commit()
      } catch (error) {
        await connection.rollback()
        throw error
      }
      for (const migration of baselined) this.emit({ type: 'baselined', migration: infoOnly(migration) })
      return baselined.map(infoOnly)
    })
  }

  /** The live schema, without mig's own tables. Needs a driver with schema snapshots. */
  async describeSchema(): Promise<SchemaSnapshot> {
    const connection = await this.driver.connect()
    try {
      return await describe(connection, this.table, this.driver.dialect)
    } finally {
      await connection.close()
    }
  }

  /**
   * The schema the migrations build up to `to` (all of them by default), built on a scratch
   * database that is removed afterwards.
   */
  async expectedSchema(options: { to?: number } = {}): Promise<SchemaSnapshot> {
    const migrations = await this.listMigrations()
    return this.onScratch(migrations, async (scratch, snapshot) => {
      await scratch.up(options.to === undefined ? {} : { to: options.to })
      return snapshot()
    })
  }

  /** The live schema, or the one the migrations build, as a SQL script: see {@link dumpSchema}. */
  async dump(options: DumpOptions = {}): Promise<string> {
    return dumpSchema(this.driver, options, (from) => (from === 'migrations' ? this.expectedSchema() : this.describeSchema()))
  }

  /** How the live schema differs from the one the applied migrations build: see {@link detectDrift}. */
  async drift(): Promise<DriftResult> {
    return detectDrift(this)
  }

  /** Whether every down section undoes its up, on a scratch database: see {@link testReversibility}. */
  async testReversibility(options: ReversibilityTestOptions = {}): Promise<ReversibilityReport> {
    return this.onScratch(await this.listMigrations(), (scratch, snapshot) => testReversibility(scratch, snapshot, options))
  }

  /**
   * Puts one history row right, explicitly: see {@link RepairResolution}. Each resolution
   * applies only to the problem it resolves and refuses any other row.
   */
  async repair(options: RepairOptions & RunOptions): Promise<MigrationInfo> {
    if (!REPAIR_RESOLUTIONS.includes(options?.resolution)) {
      throw new InvalidOptionsError(`repair needs a resolution: ${REPAIR_RESOLUTIONS.map((resolution) => `"${resolution}"`).join(', ')}.`)
    }
    const migrations = await this.listMigrations()
    return this.locked(options.signal, async ({ store }) => {
      const history = compareHistory(migrations, await store.list())
      const record = history.recordByVersion.get(options.version)
      if (!record) throw new InvalidOptionsError(`History has no migration ${options.version}; there is nothing to repair.`)
      const migration = infoOf(history, record)
      const file = history.byVersion.get(record.version)
      const refuse = (problem: string): never => {
        throw new InvalidOptionsError(`${migration.file} ${problem}, so "${options.resolution}" does not apply to it.`)
      }
      switch (options.resolution) {
        case 'applied':
        case 'rolled-back':
          if (record.state !== 'failed') refuse('did not fail part-way')
          if (options.resolution === 'rolled-back') await store.delete(record.version)
          else
            await store.update(record.version, {
              ...record,
              state: 'applied',
              checksum: file?.checksum ?? record.checksum,
              appliedAt: new Date(),
            })
          break
        case 'accept-checksum':
          if (!file || record.state === 'failed' || file.checksum === record.checksum) refuse('is not an applied file that changed')
          await store.update(record.version, { ...record, checksum: (file as Migration).checksum })
          break
        case 'forget':
          if (file) refuse('still has its file')
          await store.delete(record.version)
          break
      }
      this.emit({ type: 'repaired', migration, resolution: options.resolution })
      return migration
    })
  }

  /**
   * The migration whose schema (built on a scratch database) equals the live one: `to` when it
   * matches, or, without `to`, the only one that matches. Throws {@link SchemaMismatchError}
   * when none does, and asks for `to` when several do.
   */
  private async matchingVersion(
    migrations: readonly Migration[],
    to: number | undefined,
  ): Promise<{ migration: MigrationInfo; expected: SchemaSnapshot }> {
    const live = await this.describeSchema()
    return this.onScratch(migrations, async (scratch, snapshot) => {
      const candidates = migrations.filter((migration) => to === undefined || migration.version <= to)
      const matches: { migration: MigrationInfo; expected: SchemaSnapshot }[] = []
      let differences: SchemaDifference[] = []
      for (const migration of candidates) {
        await scratch.up({ step: 1 })
        if (to !== undefined && migration.version !== to) continue
        const expected = await snapshot()
        differences = compareSchemas(expected, live)
        if (!differences.length) matches.push({ migration: infoOnly(migration), expected })
      }
      if (matches.length > 1) {
        // Migrations that change no schema (settings, data) match as well as the one before
        // them; whether the database has them is not something a schema can tell.
        throw new InvalidOptionsError(
          `The database's schema matches ${matches.map((match) => match.migration.file).join(', ')} alike: the later ones change no schema. ` +
            'Say which one the database has with to (--to).',
        )
      }
      const [match] = matches
      if (match) return match
      const newest = candidates.at(-1)
      if (!newest) throw new InvalidOptionsError('There are no migrations to baseline to.')
      throw new SchemaMismatchError(infoOnly(newest), differences)
    })
  }

  private async onScratch<T>(
    migrations: readonly Migration[],
    work: (scratch: Migrator, snapshot: () => Promise<SchemaSnapshot>) => Promise<T>,
  ): Promise<T> {
    if (!this.driver.createScratchDatabase || !this.driver.capabilities.schemaSnapshots) {
      throw new InvalidOptionsError(`The ${this.driver.dialect} driver cannot describe schemas.`)
    }
    const scratch = await this.driver.createScratchDatabase()
    try {
      const migrator = new Migrator({
        driver: scratch.driver,
        source: { list: async () => [...migrations] },
        table: this.table.name,
        schema: this.table.schema,
        allowOutOfOrder: true,
        appliedBy: this.appliedBy,
      })
      return await work(migrator, () => migrator.describeSchema())
    } finally {
      await scratch.destroy()
    }
  }

  private async listMigrations(): Promise<Migration[]> {
    return sortMigrations(await this.source.list())
  }

  private async checkedHistory(store: HistoryStore, migrations: readonly Migration[]): Promise<History> {
    const history = compareHistory(migrations, await store.list())
    checkHistory(history, { allowOutOfOrder: this.allowOutOfOrder })
    return history
  }

  /**
   * Whether a read without the lock finds nothing to do. Any doubt (a disagreement, perhaps
   * with a run in progress) goes to the locked path, which decides under the lock.
   */
  private async upToDate(migrations: readonly Migration[], options: UpOptions): Promise<boolean> {
    try {
      return planUp(await this.readHistory({ check: true }, migrations), options).length === 0
    } catch {
      return false
    }
  }

  /** History without the lock and without creating the table: for read-only operations. */
  private async readHistory(options: { check: boolean }, listed?: readonly Migration[]): Promise<History> {
    const migrations = listed ?? (await this.listMigrations())
    const connection = await this.driver.connect()
    try {
      const history = compareHistory(migrations, await new HistoryStore(connection, connection.historySql(this.table)).list())
      if (options.check) checkHistory(history, { allowOutOfOrder: this.allowOutOfOrder })
      return history
    } finally {
      await connection.close()
    }
  }

  /**
   * Runs `work` holding the lock. The history table is created only just before the first
   * write, so a run refused by its checks leaves the database as it was.
   */
  private async locked<T>(signal: AbortSignal | undefined, work: (session: Session) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new AbortedError([], signal.reason)
    const connection = await this.driver.connect()
    try {
      const waitStarted = Date.now()
      let lastReport = Number.NEGATIVE_INFINITY
      try {
        await connection.acquireLock(this.table, {
          timeoutMs: this.lockTimeoutMs,
          signal,
          onWait: (holder) => {
            if (Date.now() - lastReport < LOCK_WAIT_REPORT_INTERVAL_MS) return
            lastReport = Date.now()
            this.emit({ type: 'lock-waiting', holder, waitedMs: lastReport - waitStarted })
          },
        })
      } catch (error) {
        // Drivers reject with the signal's reason; callers get mig's own error for a cancel.
        if (signal?.aborted) throw new AbortedError([], signal.reason)
        throw error
      }
      this.emit({ type: 'lock-acquired', waitedMs: Date.now() - waitStarted })
      try {
        return await work({ connection, store: new HistoryStore(connection, connection.historySql(this.table)) })
      } finally {
        await connection.releaseLock()
        this.emit({ type: 'lock-released' })
      }
    } finally {
      await connection.close()
    }
  }

  private async runPlan(
    session: Session,
    direction: 'up' | 'down',
    plan: readonly Migration[],
    scripts: readonly MigrationScripts[],
    signal: AbortSignal | undefined,
  ): Promise<MigrateResult> {
    const started = performance.now()
    const completed: MigrationOutcome[] = []
    const single = this.transactionMode === 'single' && plan.length > 0
    if (single) checkSingleTransaction(plan, scripts)
    if (plan.length) await session.store.ensureTable()
    if (single) await session.connection.begin()
    try {
      for (const [index, migration] of plan.entries()) {
        if (signal?.aborted) throw new AbortedError(single ? [] : completed, signal.reason)
        // In one transaction, nothing before a failure stays applied.
        const kept = single ? [] : completed
        const durationMs = await this.runMigration(session, direction, migration, scripts[index] as MigrationScripts, kept, single)
        completed.push({ ...infoOnly(migration), durationMs })
      }
      if (single) await session.connection.commit()
    } catch (error) {
      if (single) await session.connection.rollback()
      throw error
    }
    return { direction, migrations: completed, durationMs: Math.round(performance.now() - started) }
  }

  /** Runs one migration and writes its history row; returns its duration in milliseconds. */
  private async runMigration(
    { connection, store }: Session,
    direction: 'up' | 'down',
    migration: Migration,
    scripts: MigrationScripts,
    completed: readonly MigrationInfo[],
    inOuterTransaction: boolean,
  ): Promise<number> {
    const info = infoOnly(migration)
    const step = (direction === 'up' ? scripts.up : scripts.down) as MigrationStep
    const mode: TransactionMode = scripts.transaction ? 'transaction' : 'no-transaction'
    if (step.kind === 'sql') {
      if (!holdsSql(step.sql))
        this.emit({ type: 'warning', migration: info, message: `the ${direction} section holds no SQL, so it changes nothing` })
      for (const message of connection.inspectScript?.(step.sql, mode) ?? []) this.emit({ type: 'warning', migration: info, message })
    }
    this.emit({ type: direction === 'up' ? 'migrating' : 'reverting', migration: info, transaction: scripts.transaction })
    const started = performance.now()
    const record = (state: HistoryState, detail?: string) => ({
      version: migration.version,
      name: migration.name,
      checksum: migration.checksum,
      state,
      appliedAt: new Date(),
      executionMs: performance.now() - started,
      appliedBy: this.appliedBy,
      detail,
    })
    const fail = (error: unknown, rolledBack: boolean, statementOffset: number | undefined, statement?: string): never => {
      const failure = toFailure(error, info, direction, step, completed, rolledBack, statementOffset, statement, connection)
      this.emit({ type: 'failed', migration: info, direction, error: failure })
      throw failure
    }

    if (scripts.transaction) {
      if (!inOuterTransaction) await connection.begin()
      try {
        await runStep(connection, this.driver.dialect, step)
        if (direction === 'up') await store.insert(record('applied'))
        else await store.delete(migration.version)
        if (!inOuterTransaction) await connection.commit()
      } catch (error) {
        await connection.rollback()
        fail(error, this.driver.capabilities.transactionalDdl, undefined)
      }
    } else {
      // Recorded as failed before it starts, so a process killed half-way leaves a trace that
      // the next run refuses, instead of a half-applied migration that looks pending.
      const interrupted = `interrupted: the run stopped before ${direction === 'up' ? 'applying' : 'reverting'} it completely`
      if (direction === 'up') await store.insert(record('failed', interrupted))
      else await store.update(migration.version, record('failed', interrupted))
      if (step.kind === 'code') {
        try {
          await step.run(contextFor(connection, this.driver.dialect))
        } catch (error) {
          await store.update(migration.version, record('failed', `failed: ${messageOf(error)}`))
          fail(error, false, undefined)
        }
      } else {
        const statements = connection.splitStatements(step.sql)
        for (const [index, statement] of statements.entries()) {
          try {
            await connection.runScript(statement.text)
          } catch (error) {
            await store.update(
              migration.version,
              record('failed', `statement ${index + 1} of ${statements.length} failed: ${messageOf(error)}`),
            )
            fail(error, false, statement.offset, statement.text)
          }
        }
      }
      if (direction === 'up') await store.update(migration.version, record('applied'))
      else await store.delete(migration.version)
    }
    const durationMs = Math.round(performance.now() - started)
    this.emit({ type: direction === 'up' ? 'migrated' : 'reverted', migration: info, durationMs })
    return durationMs
  }

  private emit(event: MigratorEvent): void {
    if (this.logger) logEvent(this.logger, event)
    for (const listener of this.listeners.get(event.type) ?? []) listener(event)
  }
}

function refuseBaselineOver(records: readonly HistoryRecord[]): void {
  if (records.length) {
    throw new InvalidOptionsError(
      `History already holds ${records.length} migration(s); baseline is for a database that has none. Use up to apply the rest.`,
    )
  }
}

async function describe(connection: DriverConnection, table: HistoryTableName, dialect: string): Promise<SchemaSnapshot> {
  if (!connection.describeSchema) throw new InvalidOptionsError(`The ${dialect} driver cannot describe schemas.`)
  return sortSnapshot(await connection.describeSchema({ historyTable: table }))
}

function checkSingleTransaction(plan: readonly Migration[], scripts: readonly MigrationScripts[]): void {
  const outside = plan.filter((_, index) => !scripts[index]?.transaction)
  if (outside.length) {
    throw new InvalidOptionsError(
      `transactionMode "single" cannot include ${outside.map((migration) => migration.file).join(', ')}, which must run outside a transaction. Apply up to the migration before it first.`,
    )
  }
}

function planUp(history: History, options: UpOptions): Migration[] {
  let plan = [...history.pending]
  if (options.to !== undefined) {
    if (!history.byVersion.has(options.to)) throw new UnknownVersionError(options.to, 'to migrate up to')
    plan = plan.filter((migration) => migration.version <= (options.to as number))
  }
  return options.step === undefined ? plan : plan.slice(0, options.step)
}

function planDown(history: History, options: DownOptions): Migration[] {
  const applied = [...history.records].sort((a, b) => b.version - a.version)
  let chosen: HistoryRecord[]
  if (options.all) chosen = applied
  else if (options.to !== undefined) {
    if (options.to !== 0 && !history.byVersion.has(options.to) && !history.recordByVersion.has(options.to)) {
      throw new UnknownVersionError(options.to, 'to roll back to')
    }
    chosen = applied.filter((record) => record.version > (options.to as number))
  } else chosen = applied.slice(0, options.step ?? 1)
  // checkHistory has already refused records without a file.
  return chosen.map((record) => history.byVersion.get(record.version) as Migration)
}

async function loadAll(migrations: readonly Migration[]): Promise<MigrationScripts[]> {
  return Promise.all(migrations.map((migration) => migration.load()))
}

/** Loads every migration to revert and refuses the whole plan if any of them has no down. */
async function loadReversible(migrations: readonly Migration[]): Promise<MigrationScripts[]> {
  const scripts = await loadAll(migrations)
  scripts.forEach((loaded, index) => {
    if (!loaded.down) throw new IrreversibleMigrationError(infoOnly(migrations[index] as Migration))
  })
  return scripts
}

async function runStep(connection: DriverConnection, dialect: string, step: MigrationStep): Promise<void> {
  if (step.kind === 'sql') await connection.runScript(step.sql)
  else await step.run(contextFor(connection, dialect))
}

function contextFor(connection: DriverConnection, dialect: string): MigrationContext {
  return {
    dialect,
    run: (sql) => connection.runScript(sql),
    query: (sql, params) => connection.query(sql, params),
  }
}

function toFailure(
  error: unknown,
  migration: MigrationInfo,
  direction: 'up' | 'down',
  step: MigrationStep,
  completed: readonly MigrationInfo[],
  rolledBack: boolean,
  statementOffset: number | undefined,
  statement: string | undefined,
  connection: DriverConnection,
): MigError {
  if (error instanceof MigError && !(error instanceof DatabaseError)) return error
  if (step.kind !== 'sql') return new MigrationFailedError(migration, direction, undefined, completed, rolledBack, undefined, error)
  const offsetInStep =
    error instanceof DatabaseError && error.position !== undefined ? (statementOffset ?? 0) + error.position : statementOffset
  const failing = statement ?? (offsetInStep === undefined ? undefined : statementAt(connection, step.sql, offsetInStep))
  const position = offsetInStep === undefined ? undefined : positionInStep(step, offsetInStep)
  return new MigrationFailedError(migration, direction, position, completed, rolledBack, failing, error)
}

function validateUpOptions(options: UpOptions): void {
  if (options.to !== undefined && options.step !== undefined) throw new InvalidOptionsError('Give up either to or step, not both.')
  if (options.to !== undefined && (!Number.isSafeInteger(options.to) || options.to <= 0)) {
    throw new InvalidOptionsError(`to must be a migration version (a positive integer), not ${options.to}.`)
  }
  validateStep(options.step)
}

function validateDownOptions(options: DownOptions): void {
  const given = [options.to !== undefined, options.step !== undefined, options.all === true].filter(Boolean).length
  if (given > 1) throw new InvalidOptionsError('Give down only one of to, step and all.')
  if (options.to !== undefined && (!Number.isSafeInteger(options.to) || options.to < 0)) {
    throw new InvalidOptionsError(`to must be a migration version, or 0 to revert everything, not ${options.to}.`)
  }
  validateStep(options.step)
}

function validateStep(step: number | undefined): void {
  if (step !== undefined && (!Number.isSafeInteger(step) || step <= 0)) {
    throw new InvalidOptionsError(`step must be a positive whole number, not ${step}.`)
  }
}

function infoOnly(migration: MigrationInfo): MigrationInfo {
  return { version: migration.version, name: migration.name, file: migration.file }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function defaultAppliedBy(): string {
  try {
    return `${userInfo().username}@${hostname()}`
  } catch {
    return hostname()
  }
}
