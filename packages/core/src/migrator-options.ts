import { hostname, userInfo } from 'node:os'
import type { Driver, HistoryTableName } from './driver.js'
import { InvalidOptionsError, UnsupportedFeatureError } from './errors.js'
import type { Logger } from './events.js'
import { DEFAULT_HISTORY_TABLE, validateHistoryTableName } from './history-table.js'
import type { MigrationSource } from './migration.js'
import { type MigrationVersion, toVersion } from './migration-version.js'
import type { PlannedMigration } from './migrator-results.js'
import { refuseUnknownOptions } from './option-names.js'
import { type Placeholders, validatePlaceholders, withPlaceholders } from './placeholders.js'

/**
 * `per-migration` (default): each migration commits on its own with its history row.
 * `single`: everything one `up` or `down` runs commits or rolls back together; needs
 * transactional DDL and no `-- mig:no-transaction` migration in the plan.
 */
export type TransactionMode = 'per-migration' | 'single'

export interface MigratorOptions {
  readonly driver: Driver
  readonly source: MigrationSource
  /** History table name; default `mig_migrations`. */
  readonly table?: string
  /** Schema of the history table, for drivers with schemas (PostgreSQL). */
  readonly schema?: string
  /** Apply pending migrations older than the newest applied one instead of refusing. Default `false`. */
  readonly allowOutOfOrder?: boolean
  /** How long to wait for another run's migration lock before failing. Default 60 000 ms. */
  readonly lockWaitMs?: number
  /** @deprecated The former name of {@link lockWaitMs}. */
  readonly lockTimeoutMs?: number
  readonly transactionMode?: TransactionMode
  /**
   * How many more times a transactional migration runs after it gave up waiting for a table
   * lock (PostgreSQL `lock_timeout`, SQLSTATE 55P03) and was rolled back, after 0.5 s, 1 s, 2 s,
   * … Each retry is a `retrying` event. Default 3; 0 turns retrying off. A migration outside a
   * transaction is never retried, nor one of a run whose `signal` was aborted.
   */
  readonly lockTimeoutRetries?: number
  /** Recorded in history as who applied each migration. Default `user@host`. */
  readonly appliedBy?: string
  /** Gets one line per event. The library prints nothing by itself. */
  readonly logger?: Logger
  /**
   * Turns placeholders on: each `${name}` in the SQL of a migration is replaced by its value
   * here, as written (trusted configuration, never user input), outside strings, dollar-quoted
   * bodies and comments unless the file says `-- mig:placeholders everywhere`. A `${name}`
   * without a value stops the run before anything runs. Checksums are of the files as written.
   * Without this option, `${` is left alone. The CLI fills it from `placeholders` in its config
   * and `MIG_PLACEHOLDER_<name>` variables.
   */
  readonly placeholders?: Placeholders
}

export interface RunOptions {
  /**
   * Stops the run at the next safe point: while waiting for the lock, or once the migration
   * running now has finished (it is not cut short). The lock is released; `AbortedError` says
   * what was completed.
   */
  readonly signal?: AbortSignal
  /**
   * Stops the run now: the statement running is cancelled on the server (where the driver can:
   * PostgreSQL sends a cancel request), its migration rolled back (outside a transaction:
   * recorded as failed; where DDL commits at once, its DDL may stay), the lock released, and `AbortedError` names it. The CLI aborts it on
   * a second Ctrl-C or SIGTERM.
   */
  readonly cancelSignal?: AbortSignal
}

/** For a read-only operation (`status`, `overview`, `validate`), which takes no lock and has no point to stop at before its end. */
export interface ReadOptions {
  /**
   * Stops the read now: the statement reading history is cancelled on the server (where the
   * driver can: PostgreSQL sends a cancel request, so a read that waits for a table lock another
   * session holds ends at once), and `AbortedError` is thrown. The CLI aborts it on a second
   * Ctrl-C or SIGTERM.
   */
  readonly cancelSignal?: AbortSignal
}

export interface BeforeRunOptions {
  /**
   * Called under the lock with what is about to run, after every migration of it is loaded and
   * has passed mig's own checks, and before the first statement (or the history table) is
   * written; throwing refuses the run and leaves the database as it was. Not called when there
   * is nothing to run. The CLI lints here before `up`, and shows what `down --missing` will run.
   */
  readonly beforeRun?: (plan: readonly PlannedMigration[]) => void | Promise<void>
}

export interface UpOptions extends RunOptions, BeforeRunOptions {
  /** Apply up to and including this version. */
  readonly to?: MigrationVersion
  /** Apply at most this many migrations. */
  readonly step?: number
}

export interface DownOptions extends RunOptions, BeforeRunOptions {
  /** Revert every migration newer than this version (0 reverts all). */
  readonly to?: MigrationVersion
  /** Revert this many migrations, newest first. Default 1 when nothing else is given. */
  readonly step?: number
  /** Revert every applied migration. */
  readonly all?: boolean
  /**
   * Revert every applied migration whose file is gone (or now holds another migration), newest
   * first, with the down SQL history recorded when it was applied: after switching to a branch
   * without them. The migrations that keep their files stay applied. Refused before anything
   * runs when any of them has no recorded down SQL, and when any of them was renumbered since it
   * was applied here (a pending file holds its checksum under another version): reverting drops
   * what it made. `'including-renumbered'` reverts those too, for a database of your own whose
   * migrations were renumbered after a merge; `up` then applies them at their new versions.
   */
  readonly missing?: boolean | 'including-renumbered'
}

export interface BaselineOptions extends RunOptions {
  /** The newest migration the database already has; found by comparing schemas when absent. */
  readonly to?: MigrationVersion
  /** Record the baseline without comparing schemas; history says it was not verified. */
  readonly force?: boolean
}

/** The options a Migrator runs with, checked and with their defaults. */
export interface MigratorSettings {
  readonly driver: Driver
  readonly source: MigrationSource
  readonly table: HistoryTableName
  readonly allowOutOfOrder: boolean
  readonly lockWaitMs: number
  readonly transactionMode: TransactionMode
  readonly lockTimeoutRetries: number
  readonly appliedBy: string
}

const MIGRATOR_OPTIONS: Readonly<Record<keyof MigratorOptions, true>> = {
  driver: true,
  source: true,
  table: true,
  schema: true,
  allowOutOfOrder: true,
  lockWaitMs: true,
  lockTimeoutMs: true,
  transactionMode: true,
  lockTimeoutRetries: true,
  appliedBy: true,
  logger: true,
  placeholders: true,
}

export function resolveMigratorOptions(options: MigratorOptions): MigratorSettings {
  refuseUnknownOptions(options, MIGRATOR_OPTIONS, 'Migrator')
  if (!options?.driver) throw new InvalidOptionsError('Migrator needs a driver, e.g. sqliteDriver({ filename: "app.db" }).')
  if (!options.source) throw new InvalidOptionsError('Migrator needs a source, e.g. fromDirectory("migrations").')
  const { driver } = options
  // A pool or a connection given as the driver has a connect() of its own, and would fail only later, with its own error.
  if (typeof driver.dialect !== 'string' || typeof driver.connect !== 'function' || typeof driver.lock?.open !== 'function') {
    throw new InvalidOptionsError(
      `driver must be a mig driver, such as postgresDriver({ pool }) or sqliteDriver({ database }), not ${describeGiven(driver)}.`,
    )
  }
  if (typeof options.source.list !== 'function') {
    throw new InvalidOptionsError(
      `source must be a migration source, such as fromDirectory("migrations") or fromList([...]), not ${describeGiven(options.source)}.`,
    )
  }
  if (options.logger !== undefined && !isLogger(options.logger)) {
    throw new InvalidOptionsError(
      `logger must be an object with info, warn, error or debug methods, such as console or a pino logger, not ${describeGiven(options.logger)}.`,
    )
  }
  if (options.schema !== undefined && !driver.capabilities.schemas) {
    throw new InvalidOptionsError(`The ${driver.dialect} driver has no schemas; remove the schema option.`)
  }
  const lockWaitMs = options.lockWaitMs ?? options.lockTimeoutMs ?? 60_000
  if (!Number.isFinite(lockWaitMs) || lockWaitMs < 0) {
    throw new InvalidOptionsError(`lockWaitMs must be a number of milliseconds (0 or more), not ${lockWaitMs}.`)
  }
  const transactionMode = options.transactionMode ?? 'per-migration'
  if (transactionMode !== 'per-migration' && transactionMode !== 'single') {
    throw new InvalidOptionsError(`transactionMode must be "per-migration" or "single", not ${JSON.stringify(options.transactionMode)}.`)
  }
  if (transactionMode === 'single' && !driver.capabilities.transactionalDdl) {
    throw new UnsupportedFeatureError(`The ${driver.dialect} driver cannot roll back DDL, so transactionMode "single" is not available.`)
  }
  const lockTimeoutRetries = options.lockTimeoutRetries ?? 3
  if (!Number.isSafeInteger(lockTimeoutRetries) || lockTimeoutRetries < 0) {
    throw new InvalidOptionsError(`lockTimeoutRetries must be a whole number (0 or more), not ${options.lockTimeoutRetries}.`)
  }
  return {
    driver,
    source:
      options.placeholders === undefined
        ? options.source
        : withPlaceholders(options.source, validatePlaceholders(options.placeholders), driver.text),
    table: validateHistoryTableName({ name: options.table ?? DEFAULT_HISTORY_TABLE, schema: options.schema }),
    allowOutOfOrder: options.allowOutOfOrder ?? false,
    lockWaitMs,
    transactionMode,
    lockTimeoutRetries,
    appliedBy: options.appliedBy ?? defaultAppliedBy(),
  }
}

/** The signals checked: an AbortController given instead of its signal would otherwise fail only once there is work to stop. */
export function validateRunOptions<Options extends RunOptions>(options: Options): Options {
  for (const name of ['signal', 'cancelSignal'] as const) {
    const signal = options?.[name]
    // By shape, as Node checks a signal: one from another realm (a test environment, a vm context) is a signal too.
    if (signal !== undefined && (typeof signal?.aborted !== 'boolean' || typeof signal.addEventListener !== 'function')) {
      throw new InvalidOptionsError(`${name} must be an AbortSignal (an AbortController's signal), not ${describeGiven(signal)}.`)
    }
  }
  return options
}

/** The options checked, with `to` in the one form of its version. */
export function validateUpOptions<Options extends UpOptions>(options: Options): Options {
  validateRunOptions(options)
  if (options.to !== undefined && options.step !== undefined)
    throw new InvalidOptionsError('up takes to or step, not both (--to or --step in the CLI).')
  validateStep(options.step)
  return { ...options, to: checkedTo(options.to, 'to must be a migration version (a positive integer)', 1) }
}

/** The options checked, with `to` in the one form of its version. */
export function validateDownOptions<Options extends DownOptions>(options: Options): Options {
  const given = [options.to !== undefined, options.step !== undefined, options.all === true, Boolean(options.missing)].filter(
    Boolean,
  ).length
  if (given > 1)
    throw new InvalidOptionsError('down takes only one of to, step, all and missing (--to, --step, --all, --missing in the CLI).')
  if (![undefined, false, true, 'including-renumbered'].includes(options.missing))
    throw new InvalidOptionsError("missing must be true, or 'including-renumbered' to revert renumbered migrations too.")
  validateStep(options.step)
  return { ...options, to: checkedTo(options.to, 'to must be a migration version, or 0 to revert everything', 0) }
}

/** The options checked, with `to` in the one form of its version. */
export function validateBaselineOptions(options: BaselineOptions, driver: Driver): BaselineOptions {
  validateRunOptions(options)
  const to = checkedTo(options.to, "baseline's to must be a migration version (a positive integer)", 1)
  if (options.force && options.to === undefined) {
    throw new InvalidOptionsError('baseline with force needs to: without a comparison there is no way to find the version.')
  }
  if (!options.force && !driver.capabilities.scratchDatabases) {
    throw new UnsupportedFeatureError(
      `The ${driver.dialect} driver cannot compare schemas, so it cannot verify a baseline. Pass force to record it unverified.`,
    )
  }
  return { ...options, to }
}

/** A number beyond 2^53 may already have been rounded, so such a version must come as a bigint (or digits). */
function checkedTo(to: unknown, rule: string, minimum: 0 | 1): MigrationVersion | undefined {
  if (to === undefined) return undefined
  const version = toVersion(to)
  if (version === undefined || version < minimum) {
    const hint = typeof to === 'number' && Number.isInteger(to) && to > 0 ? ' (beyond 2^53, give it as a bigint)' : ''
    throw new InvalidOptionsError(`${rule}, not ${String(to)}${hint}.`)
  }
  return version
}

function validateStep(step: number | undefined): void {
  if (step !== undefined && (!Number.isSafeInteger(step) || step <= 0)) {
    throw new InvalidOptionsError(`step must be a positive whole number, not ${step}.`)
  }
}

function isLogger(logger: unknown): boolean {
  if (typeof logger !== 'object' || logger === null) return false
  return (['debug', 'info', 'warn', 'error'] as const).some((level) => typeof (logger as Logger)[level] === 'function')
}

/** What was given instead of the expected thing, for a message: `a Pool`, `a function`, `the string "migrations"`. */
function describeGiven(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  if (typeof value === 'function') return 'a function'
  if (typeof value !== 'object' || value === null) return String(value)
  const name = Object.getPrototypeOf(value)?.constructor?.name
  if (!name || name === 'Object') return 'an object of another shape'
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`
}

function defaultAppliedBy(): string {
  try {
    return `${userInfo().username}@${hostname()}`
  } catch {
    return hostname()
  }
}
