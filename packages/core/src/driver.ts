/**
 * The driver contract: what a dialect package supplies so that core can run migrations on it.
 *
 * Core owns every decision: ordering, planning, validation, checksums, the transaction around
 * each migration, events, and the one loop that waits for the migration lock. A driver owns the
 * connection and the dialect's SQL text, as a few small parts, and a part that needs no
 * connection takes none:
 *
 * - a **session** ({@link DriverSession}): run a script, run a parameterised statement,
 *   begin/commit/rollback, close;
 * - the **dialect text** ({@link DialectText}): pure functions for the history table's SQL,
 *   statement splitting and classification, identifier quoting; testable without a database;
 * - a **lock** ({@link LockPart}): tries once and describes the holder; core polls it;
 * - optionally **schema** ({@link SchemaPart}): describe the live schema, build on a scratch
 *   database, render the DROP statements a schema conversion needs.
 *
 * A driver is written as a {@link DriverDefinition} and passed to `defineDriver()`, which fills
 * the defaults and derives {@link DriverCapabilities} from the parts present, so that core checks
 * an optional feature in one place. Core never imports a client library: a driver declares the
 * small shape of the client it accepts, and the user may pass their own client or pool.
 *
 * ## Writing a driver: the checklist
 * 1. `connect()` opens what one operation needs and the session's `close()` gives it all back;
 *    a client or pool the user passed in is borrowed, never ended.
 * 2. `text.historySql()` returns the history table's statements with the table name quoted by
 *    `text.quoteIdentifier`; core has already validated it as a plain identifier. Values always
 *    travel as parameters.
 * 3. `session.runScript()` runs a whole script; on failure it throws {@link DatabaseError} with
 *    the 0-based offset of the error in the script (at least of the failing statement, for any
 *    error: a server that names no position means running the script statement by statement),
 *    plus SQLSTATE, detail and hint when known.
 * 4. `text.splitStatements()` splits a script into statements with their offsets, for
 *    migrations that run outside a transaction, for naming the statement that failed, and for
 *    finding the statements that end mig's transaction.
 * 5. `lock.open()` returns a {@link MigrationLock} whose `tryAcquire()` tries exactly once, never
 *    waits, and is exclusive across processes and machines that reach the database. A lock
 *    whose holder died must become free. It must not hold a transaction or snapshot open on the
 *    session migrations run on (PostgreSQL's `CREATE INDEX CONCURRENTLY` waits for every one).
 *    A lock that can expire (a lease) implements `fence()`, so that a holder whose lease
 *    passed to another runner can never commit.
 * 6. Connection failures throw {@link DatabaseError} with no password in the message: use
 *    `redactUrl` and `secretsOf` from core on anything that may quote a URL.
 * 7. `text.transactionControl()` names the statements that end or nest a transaction in your
 *    dialect, if the default (the standard commands) misses any; core refuses them in a
 *    transactional migration before anything runs. `text.clientOnly()` names those that only
 *    your dialect's command-line client can run (psql's `\connect`, `COPY … FROM STDIN`).
 * 8. Run `runDriverConformanceSuite` from `@mig/core/testing` (the contract, behaviour and
 *    integrity suites) against a real database.
 *
 * @module
 */
import type { DatabaseError } from './errors.js'
import type { HistorySql } from './history-sql.js'
import type { SchemaSnapshot } from './schema-snapshot.js'
import type { ClientOnlyStatement, StatementRole } from './statement-role.js'

/** What a dialect package writes; `defineDriver()` turns it into a {@link Driver}. */
export interface DriverDefinition<Session extends DriverSession = DriverSession> {
  /** Short dialect name, used in messages and given to code migrations: `sqlite`, `postgres`. */
  readonly dialect: string
  /**
   * DDL statements take part in transactions (SQLite, PostgreSQL). Without it (MariaDB, MySQL: DDL
   * commits at once) a failed or cancelled migration may leave part of its DDL behind while its
   * history row rolls back: core reports it as `ddl-kept`, still pending, and refuses
   * `transactionMode: 'single'`. Default `true`.
   */
  readonly transactionalDdl?: boolean
  /** The history table may live in a named schema (the Migrator's `schema` option). Default `false`. */
  readonly schemas?: boolean
  readonly text: DialectTextDefinition
  /**
   * Opens what one operation (`up`, `down`, `status`, …) needs. Core calls `close()` on the
   * result in a `finally`, whatever happens. Connection failures throw {@link DatabaseError}.
   */
  connect(options?: ConnectOptions): Promise<Session>
  readonly lock: LockPart<Session>
  readonly schema?: SchemaPart<Session>
}

/** What a session is opened for. */
export interface ConnectOptions {
  /**
   * `operation` (the default): the session an operation runs on. `check`: a short extra
   * session core opens, with its own time limit, to read history after the operation's
   * connection was lost, while the operation still holds its other connections (the lock's). A
   * driver that borrows from a pool the user passed, which the operation may hold all of,
   * should not wait long for a pooled client then, but open a connection of its own with the
   * pool's settings, which the session's `close()` ends.
   */
  readonly purpose?: 'operation' | 'check'
}

/** A driver as core uses it: every part present, defaults filled, capabilities derived. */
export interface Driver<Session extends DriverSession = DriverSession> {
  readonly dialect: string
  readonly capabilities: DriverCapabilities
  readonly text: DialectText
  connect(options?: ConnectOptions): Promise<Session>
  readonly lock: LockPart<Session, FencedMigrationLock>
  /** Present when `capabilities.schemaSnapshots` is true. */
  readonly schema: SchemaPart<Session> | undefined
}

export interface DriverCapabilities {
  readonly transactionalDdl: boolean
  /** The history table may live in a named schema. */
  readonly schemas: boolean
  /** The driver can describe the live schema (`schema.describe`). */
  readonly schemaSnapshots: boolean
  /** The driver can build on a new, empty database (`schema.createScratchDatabase`): verified baselines, conversion. */
  readonly scratchDatabases: boolean
}

/**
 * One open connection for one operation. Calls are never concurrent: core awaits each one
 * before the next.
 */
export interface DriverSession {
  /** Runs a script of one or more statements as sent, without parameters. */
  runScript(sql: string): Promise<void>
  /** Runs one parameterised statement and returns its rows (an empty array when there are none). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>
  begin(): Promise<void>
  /**
   * Commits; throws {@link DatabaseError} when the database rolled back instead. When the
   * connection was lost after COMMIT was sent, so that it may have committed, the error has
   * `connectionLost`: core then checks on a new session whether it committed, rather than report it rolled back.
   */
  commit(): Promise<void>
  /** Rolls back the open transaction; must not throw, whether a transaction is open or not. */
  rollback(): Promise<void>
  /**
   * Optional: whether a transaction is open on the connection now, though core began none: one
   * that a migration outside mig's transaction began with `BEGIN` and did not end. Core asks after
   * each such migration and fails it, rather than record it applied in a transaction that closing
   * the session rolls back. Without it, such a migration is reported applied. Never throws.
   */
  transactionOpen?(): Promise<boolean>
  /** Closes what `connect()` opened. Never throws, even for a connection that is already broken. */
  close(): Promise<void>
  /**
   * Optional: cancels the statement running now on this session, on the server, so that the
   * call running it rejects soon (PostgreSQL: a cancel request). Core calls it when the run's
   * `cancelSignal` aborts, then rolls back. Without it, the statement runs to its end. Never throws.
   */
  cancel?(): Promise<void>
  /**
   * Optional: how long each statement of the next migration may wait for a lock on a table
   * before it fails (PostgreSQL `lock_timeout`), as a duration like `'30s'`, or undefined for
   * the driver's default. Core calls it before each migration with the file's
   * `-- mig:lock-timeout` and whether the migration runs in a transaction. It returns a warning
   * when the timeout cannot take effect for that migration (PostgreSQL: a session setting
   * behind a transaction pooler), which core reports as a `warning` event; a driver without it
   * makes core warn that the annotation is ignored.
   */
  setLockTimeout?(duration: string | undefined, transaction: boolean): string | undefined
}

/** The dialect's SQL text: pure functions, no connection. */
export interface DialectText {
  /**
   * Splits a script into its statements, in order, each with its 0-based offset in `sql`. A
   * statement's text starts at its first token (comments and whitespace before it are left out,
   * so that a comment cannot hide a `COMMIT` from `transactionControl`) and runs through its
   * terminating `;` when it has one.
   */
  splitStatements(sql: string): SqlStatement[]
  /** Statements for the history table; see {@link HistorySql}. */
  historySql(table: HistoryTableName): HistorySql
  /** Quotes any identifier for this dialect, escaping what needs it. */
  quoteIdentifier(identifier: string): string
  /** What a statement of a hand-written schema file is, for `convertSchema`. Default: `schema`. */
  classifyStatement(statement: string): StatementRole
  /**
   * Things in a migration that will not do what its author expects in this mode, for example a
   * SQLite PRAGMA that is ignored inside a transaction; core reports each as a `warning` event.
   * Default: none.
   */
  inspectScript(sql: string, transaction: MigrationTransaction): string[]
  /**
   * The command, upper-case (`COMMIT`, `BEGIN`, `ROLLBACK`, `END`, `SAVEPOINT`, `RELEASE`, …), when
   * one statement of a script (as `splitStatements` returns it) begins, ends or nests a
   * transaction at the top level; undefined otherwise. Core refuses such a statement in a
   * migration that runs in mig's transaction, before anything runs: it would commit part of the
   * migration, or write its history row outside its transaction. A statement that only holds
   * such a word in a body (a trigger's `BEGIN … END`, a function's `BEGIN ATOMIC`, a quoted
   * string) must answer undefined. Default: the SQL-standard commands and their common spellings.
   */
  transactionControl(statement: string): string | undefined
  /**
   * A statement of a script (as `splitStatements` returns it) that only a client such as psql
   * can run: a client command, or a statement whose data the client sends or receives. Core
   * refuses it in any migration, and in a schema file to convert unless `classifyStatement`
   * leaves it out, before anything runs. Default: none.
   */
  clientOnly(statement: string): ClientOnlyStatement | undefined
  /**
   * Whether an error means a statement gave up waiting for a lock on a table (PostgreSQL
   * SQLSTATE 55P03, from `lock_timeout`). Core retries a transactional migration that failed
   * this way, with back-off. Default: never.
   */
  isLockTimeout(error: DatabaseError): boolean
  /**
   * Optional: the parts of a script that are not SQL code, in order: string literals (every
   * kind the dialect has), dollar-quoted bodies, comments; not quoted identifiers. Core
   * replaces `${name}` placeholders only outside them, unless the file says
   * `-- mig:placeholders everywhere`; without this function, placeholders need that annotation.
   * Use the splitter's own lexer, so the two never disagree.
   */
  literalRanges?(sql: string): SqlRange[]
}

/** A part of a script: `start` inclusive, `end` exclusive, both 0-based offsets. */
export interface SqlRange {
  readonly start: number
  readonly end: number
}

type OptionalDialectText = 'classifyStatement' | 'inspectScript' | 'transactionControl' | 'clientOnly' | 'isLockTimeout'

/** The dialect text as a driver writes it: the parts that have a default are optional. */
export type DialectTextDefinition = Omit<DialectText, OptionalDialectText> & Partial<Pick<DialectText, OptionalDialectText>>

/**
 * The migration lock of one history table. Core runs the one polling loop: it calls
 * `tryAcquire()` with back-off until it succeeds, the timeout passes or the run is cancelled,
 * asks `describeHolder()` now and then to report who it waits for, calls `fence()` at the start
 * of each migration, checks `isHeld()` before each commit, and calls `release()` in a `finally`.
 * `status` and `validate` open it only to ask `describeHolder()`, then release it.
 */
export interface LockPart<Session extends DriverSession = DriverSession, Lock extends MigrationLock = MigrationLock> {
  /**
   * Prepares the lock beside an open session; may open a connection of its own (PostgreSQL
   * does, so the lock outlives whatever a migration does to its session). Waiting for that
   * connection is bounded by `wait`. It must not write anything: `status` opens it too.
   */
  open(session: Session, table: HistoryTableName, wait: LockWait): Promise<Lock>
}

export interface LockWait {
  readonly timeoutMs: number
  readonly signal?: AbortSignal
}

export interface MigrationLock {
  /** Tries exactly once, without waiting: true when this lock is now held by the caller. */
  tryAcquire(): Promise<boolean>
  /** Who holds the lock now, as far as the database can tell; undefined when unknown or free. */
  describeHolder(): Promise<LockHolder | undefined>
  /**
   * False once the lock may have been lost (its connection closed): another runner may hold it
   * now, so core commits nothing more. Synchronous and cheap: called before every commit.
   */
  isHeld(): boolean
  /** Gives the lock back if held and closes what `open()` opened, in bounded time. Never throws. */
  release(): Promise<void>
  /**
   * Optional: proves on the migrations' session that this runner still holds the lock. Core
   * calls it right after `begin()` of each migration's transaction, and before each statement
   * of a migration outside a transaction; on `false` it rolls back and stops with
   * `LockLostError`. Inside a transaction it must also keep the lock from passing to another
   * runner until that transaction ends, so that a holder whose lease expired cannot commit
   * (the lease lock takes a row lock its successor would need). Default (`defineDriver`):
   * `isHeld()`.
   */
  fence?(session: DriverSession): Promise<boolean>
}

/** A lock as core uses it: `defineDriver()` fills in `fence`. */
export type FencedMigrationLock = MigrationLock & Required<Pick<MigrationLock, 'fence'>>

/** Who holds the lock, as far as the database can tell. Every field is optional. */
export interface LockHolder {
  readonly pid?: number
  readonly host?: string
  readonly applicationName?: string
  readonly clientAddress?: string
  readonly since?: Date
  /**
   * For a lock that frees itself unless its holder renews it (a lease): when it ends. A holder
   * that died without a word keeps the lock until then; said in the waiting and timeout messages.
   */
  readonly expiresAt?: Date
  /**
   * How to clear the lock by hand, for a lock that its holder cannot give back and nothing
   * frees by itself (for example a lock row left by an older mig version). Said in the lock
   * timeout's message.
   */
  readonly clearBy?: string
}

/** Schema snapshots: for verified baselines, schema conversion, and comparing schemas. */
export interface SchemaPart<Session extends DriverSession = DriverSession> {
  /**
   * The live schema as a normalised model (for a dialect with schemas: the schema the history
   * table lives in), leaving out mig's own tables: the history table and anything the driver
   * keeps beside it. Core sorts the result.
   */
  describe(session: Session, historyTable: HistoryTableName): Promise<SchemaSnapshot>
  /**
   * Optional: a new, empty database of the same dialect and settings, on which core builds what
   * migrations produce. `destroy()` removes it and everything it opened.
   */
  createScratchDatabase?(): Promise<ScratchDatabase>
  /** The statement that drops one object of a snapshot, for a derived down section. */
  renderDrop(object: SchemaObjectRef): string
  /**
   * Optional, pure: a snapshot that `describe` took, as a SQL script that builds the same schema
   * in an empty database (`mig dump`). Deterministic: the same bytes for the same snapshot, no
   * dates or random names, objects in an order the database accepts.
   */
  renderSchema?(snapshot: SchemaSnapshot): string
  /**
   * Optional, pure: the statements that turn schema `from` into schema `to` (both taken by
   * `describe`), for a draft migration (`mig drift --write`): whole objects created, dropped or
   * replaced, and the changes inside a table that the dialect makes in place, in an order the
   * database accepts. What it cannot write goes in `byHand`, one sentence each, for a person.
   */
  renderChanges?(from: SchemaSnapshot, to: SchemaSnapshot): SchemaChanges
}

/** See {@link SchemaPart.renderChanges}. */
export interface SchemaChanges {
  readonly statements: readonly string[]
  readonly byHand: readonly string[]
}

/** One object of a {@link SchemaSnapshot}, by kind and name (a routine's name carries its argument types). */
export interface SchemaObjectRef {
  readonly kind: 'view' | 'materialized-view' | 'table' | 'routine' | 'domain' | 'type' | 'enum' | 'sequence' | 'extension'
  readonly name: string
}

export interface ScratchDatabase {
  readonly driver: Driver
  destroy(): Promise<void>
}

/** Where the history table lives. Core validates both parts as plain identifiers. */
export interface HistoryTableName {
  readonly schema?: string
  readonly name: string
}

/** How a migration runs: `no-transaction` when the file says `-- mig:no-transaction`. */
export type MigrationTransaction = 'transaction' | 'no-transaction'

export interface SqlStatement {
  readonly text: string
  /** 0-based offset of the statement's first character in the script it was split from. */
  readonly offset: number
}
