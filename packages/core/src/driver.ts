/**
 * The driver contract: what a dialect package supplies so that core can run migrations on it.
 *
 * Core owns every decision (ordering, planning, validation, checksums, transactions around
 * each migration, events). A driver owns the connection and the dialect's SQL text, nothing
 * more. A driver never imports core's internals and core never imports a client library: a
 * driver declares the small shape of the client it accepts.
 *
 * ## Writing a driver: the checklist
 * 1. `connect()` opens everything one operation needs and `close()` gives it all back; a
 *    client or pool the user passed in is never ended by the driver.
 * 2. `historySql()` returns statements for the history table with the table name quoted by the
 *    driver; core has already validated it as an identifier. Values always travel as parameters.
 * 3. `runScript()` sends a whole script in one call and lets the database parse it. On failure
 *    it throws a {@link DatabaseError} with the position of the error in the script when the
 *    database reports one (0-based character offset), plus SQLSTATE, detail and hint if known.
 * 4. `splitStatements()` splits a script into statements for migrations that run outside a
 *    transaction, so core can run them one by one and say which one failed.
 * 5. `acquireLock()` is exclusive across processes and machines that can reach the database,
 *    waits at most `timeoutMs`, reports the holder through `onWait`, and throws
 *    {@link LockTimeoutError} when the time is up. A lock whose holder died must not block
 *    forever. `releaseLock()` never throws for a lock that is already gone.
 * 6. The lock must not hold a transaction or snapshot open on the connection migrations run on
 *    (PostgreSQL's `CREATE INDEX CONCURRENTLY` waits for every open snapshot).
 * 7. Run `runDriverConformanceSuite` from `@mig/core/testing` against a real database.
 *
 * @module
 */
import type { DatabaseError, LockTimeoutError } from './errors.js'
import type { SchemaSnapshot } from './schema-snapshot.js'

/** A dialect package's entry point, created by e.g. `sqliteDriver()` or `postgresDriver()`. */
export interface Driver {
  /** Short dialect name, used in messages and given to code migrations: `sqlite`, `postgres`. */
  readonly dialect: string
  /** What the database can do; core adapts its behaviour to these flags. */
  readonly capabilities: DriverCapabilities
  /**
   * Opens what one operation (`up`, `down`, `status`, …) needs. Core calls `close()` on the
   * result in a `finally`, whatever happens. Connection failures throw {@link DatabaseError}
   * with a message that contains no password.
   */
  connect(): Promise<DriverConnection>
  /**
   * Optional, with `capabilities.schemaSnapshots`: a new, empty database of the same dialect
   * and settings, on which core builds what migrations produce to verify a baseline.
   * `destroy()` removes it and everything it opened.
   */
  createScratchDatabase?(): Promise<ScratchDatabase>
  /**
   * Optional, pure: a snapshot this driver's `describeSchema` took, as a SQL script that builds
   * the same schema in an empty database. It must be deterministic (the same bytes for the same
   * snapshot: no dates, no random names) and put objects in an order the database accepts.
   */
  renderSchema?(snapshot: SchemaSnapshot): string
}

export interface ScratchDatabase {
  readonly driver: Driver
  destroy(): Promise<void>
}

export interface DriverCapabilities {
  /**
   * DDL statements take part in transactions (SQLite, PostgreSQL). Without it a failed
   * migration may leave part of its DDL behind, and core says so in the error.
   */
  readonly transactionalDdl: boolean
  /** The history table may live in a named schema (`schema` option of the history table). */
  readonly schemas: boolean
  /** The driver implements `describeSchema` and `createScratchDatabase`. Absent means false. */
  readonly schemaSnapshots?: boolean
}

/** Where the history table lives. Core validates both parts as plain identifiers. */
export interface HistoryTableName {
  readonly schema?: string
  readonly name: string
}

/**
 * One open connection to the database. Calls are never made concurrently: core awaits each
 * one before the next.
 */
export interface DriverConnection {
  /** Runs a script of one or more statements as sent, without parameters. */
  runScript(sql: string): Promise<void>
  /** Runs one parameterised statement and returns its rows (an empty array when there are none). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>
  begin(): Promise<void>
  commit(): Promise<void>
  /** Rolls back the open transaction; must not throw when there is none. */
  rollback(): Promise<void>

  /**
   * Splits a script into the statements it holds, in order, each with its 0-based offset in
   * `sql`. Comments and whitespace between statements may be dropped. A driver whose database
   * runs multi-statement scripts outside a transaction with the same effect may return the
   * whole script as one statement.
   */
  splitStatements(sql: string): SqlStatement[]

  /** Statements for the history table. Called once per operation. */
  historySql(table: HistoryTableName): HistorySql

  /** Takes the migration lock for this history table, waiting at most `options.timeoutMs`. */
  acquireLock(table: HistoryTableName, options: AcquireLockOptions): Promise<void>
  /** Gives the lock back. Safe to call when the lock was lost or never taken. */
  releaseLock(): Promise<void>

  /**
   * Optional: things in a migration that will not do what the author expects in this mode,
   * for example a SQLite PRAGMA that is ignored inside a transaction. Core reports each as a
   * `warning` event before the migration runs.
   */
  inspectScript?(sql: string, mode: TransactionMode): string[]

  /**
   * Optional, with `capabilities.schemaSnapshots`: the live schema as a normalised model (for
   * PostgreSQL, the schema the history table lives in), leaving out mig's own tables: the
   * history table and anything the driver keeps beside it. Core sorts the result.
   */
  describeSchema?(options: { historyTable: HistoryTableName }): Promise<SchemaSnapshot>

  /**
   * Optional: what a statement of a hand-written schema file is, when `convertSchema` turns the
   * file into migrations. Without it every statement is `schema`.
   */
  classifyStatement?(statement: string): StatementRole

  /** Closes what `connect()` opened. Never throws for a connection that is already broken. */
  close(): Promise<void>
}

export type TransactionMode = 'transaction' | 'no-transaction'

/**
 * `schema`: builds objects; belongs in a transactional migration. `connection-setting`: lasts
 * only for one connection (SQLite `PRAGMA foreign_keys`, PostgreSQL `SET`); `advice` says where
 * it belongs instead. `lasting-setting`: stored in the database but ignored inside a transaction
 * (SQLite `PRAGMA journal_mode`); `undo` is the statement that reverts it.
 */
export type StatementRole =
  | { readonly kind: 'schema' }
  | { readonly kind: 'connection-setting'; readonly advice: string }
  | { readonly kind: 'lasting-setting'; readonly undo: string }

export interface SqlStatement {
  readonly text: string
  /** 0-based offset of the statement's first character in the script it was split from. */
  readonly offset: number
}

/**
 * The dialect text of the history table's statements. Parameters are positional, in the order
 * given for each statement, written in the dialect's placeholder style (`?` or `$1`).
 *
 * Columns, in this order wherever rows are read: version (integer), name (text), checksum
 * (text), state (text: `applied`, `baselined` or `failed`), applied_at (timestamp or ISO
 * text), execution_ms (integer), applied_by (text), detail (text: why it failed, or how it was
 * recorded; usually null).
 */
export interface HistorySql {
  /** Creates the table (and schema) if missing. Must be safe to run when it exists. */
  readonly createTable: string
  /** One parameterless query that returns at least one row when the table exists, none otherwise. */
  readonly tableExists: string
  /** Every row, all columns above, ordered by version. */
  readonly selectAll: string
  /** Params: version, name, checksum, state, applied_at (ISO string), execution_ms, applied_by, detail. */
  readonly insert: string
  /** Params: state, checksum, applied_at (ISO string), execution_ms, detail, version. */
  readonly update: string
  /** Params: version. */
  readonly delete: string
}

export interface AcquireLockOptions {
  /** Give up after this many milliseconds and throw {@link LockTimeoutError}. */
  readonly timeoutMs: number
  /** Called when the lock is busy, with whatever the driver knows of its holder; may repeat. */
  readonly onWait: (holder: LockHolder | undefined) => void
  /** Aborting stops the wait and rejects with the signal's reason. */
  readonly signal?: AbortSignal
}

/** Who holds the lock, as far as the database can tell. Every field is optional. */
export interface LockHolder {
  readonly pid?: number
  readonly host?: string
  readonly applicationName?: string
  readonly clientAddress?: string
  readonly since?: Date
}
