import { existsSync } from 'node:fs'
import { DatabaseError, type DriverSession } from '@mig/core'
import { busyTimeoutOf } from './sqlite-busy-timeout.js'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'
import { SqliteForeignKeys } from './sqlite-foreign-keys.js'
import { splitSqliteStatements } from './sqlite-statement-splitter.js'

/**
 * A database file that did not exist when the session opened. An empty in-memory stand-in
 * answers reads until the file appears (another runner created it) or until mig first writes,
 * which creates it: a run refused by its checks leaves no file behind.
 */
export interface MissingFile {
  readonly path: string
  /** Whether the first write creates the file; otherwise it goes to the stand-in (read-only work). */
  readonly createOnWrite: boolean
  /** Opens the file, creating it, with the driver's settings. */
  readonly open: () => SqliteDatabase
}

/** One operation's connection: better-sqlite3 is synchronous, so every call completes at once. */
export class SqliteSession implements DriverSession {
  private readonly statements = new Map<string, SqliteStatement>()
  private foreignKeys: SqliteForeignKeys
  private current: SqliteDatabase

  constructor(
    database: SqliteDatabase,
    private readonly owned: boolean,
    /** Puts back the application's busy_timeout on a connection it owns. */
    private readonly restoreBusyTimeout?: () => void,
    private missing?: MissingFile,
  ) {
    this.current = database
    this.foreignKeys = new SqliteForeignKeys(database)
  }

  /** The connection, moved from the stand-in to the file once the file exists. */
  get database(): SqliteDatabase {
    if (this.missing && existsSync(this.missing.path)) this.openFile()
    return this.current
  }

  /** The database file's path, or undefined for an in-memory database. */
  get file(): string | undefined {
    if (this.missing) return this.missing.path
    const { name, memory } = this.current
    return memory || name === '' || name === ':memory:' ? undefined : name
  }

  private writableDatabase(): SqliteDatabase {
    if (this.missing?.createOnWrite) this.openFile()
    return this.database
  }

  private openFile(): void {
    const standIn = this.current
    this.current = (this.missing as MissingFile).open()
    this.missing = undefined
    this.statements.clear()
    this.foreignKeys = new SqliteForeignKeys(this.current)
    standIn.close()
  }

  async runScript(sql: string): Promise<void> {
    const database = this.writableDatabase()
    // Statement by statement, so that a failure can name its position in the file.
    for (const statement of splitSqliteStatements(sql)) {
      try {
        database.exec(statement.text)
      } catch (error) {
        throw sqliteError(error, statement.offset, database)
      }
    }
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const database = this.database
    try {
      let statement = this.statements.get(sql)
      if (!statement) {
        statement = database.prepare(sql)
        if (!statement.reader && this.missing?.createOnWrite) {
          this.openFile()
          return this.query(sql, params)
        }
        this.statements.set(sql, statement)
      }
      if (statement.reader) return statement.all(...params) as Row[]
      statement.run(...params)
      return []
    } catch (error) {
      throw sqliteError(error, undefined, database)
    }
  }

  async begin(): Promise<void> {
    this.writableDatabase()
    this.foreignKeys.suspend()
    try {
      // IMMEDIATE takes the write lock up front: a deferred transaction that upgrades later can
      // fail with SQLITE_BUSY without waiting.
      this.control('BEGIN IMMEDIATE')
      this.foreignKeys.noteExisting()
    } catch (error) {
      await this.rollback()
      throw error
    }
  }

  async commit(): Promise<void> {
    try {
      this.foreignKeys.check()
    } catch (error) {
      await this.rollback()
      throw error
    }
    try {
      this.control('COMMIT')
    } finally {
      this.foreignKeys.restore()
    }
  }

  async transactionOpen(): Promise<boolean> {
    return this.database.inTransaction
  }

  async rollback(): Promise<void> {
    try {
      if (this.database.inTransaction) this.control('ROLLBACK')
    } finally {
      this.foreignKeys.restore()
    }
  }

  /** One statement of mig's own: nothing to split, and a migration's split stays remembered. */
  private control(statement: string): void {
    try {
      this.database.exec(statement)
    } catch (error) {
      throw sqliteError(error, undefined, this.database)
    }
  }

  async close(): Promise<void> {
    this.statements.clear()
    if (!this.owned) {
      this.restoreBusyTimeout?.()
      return
    }
    try {
      this.current.close()
    } catch {
      // Already closed.
    }
  }
}

/** A better-sqlite3 error as core's; `database` names its file in the message for a busy one. */
export function sqliteError(error: unknown, position?: number, database?: SqliteDatabase): DatabaseError {
  if (error instanceof DatabaseError) return error
  const sqlState = (error as { code?: string }).code
  const file = database?.name
  if (database && sqlState?.startsWith('SQLITE_BUSY')) {
    // mig's own runners queue on the migration lock; a reader (status) can still meet a running migration.
    return new DatabaseError(
      `The SQLite database ${file} stayed locked by another connection for longer than mig waits for it (${waitOf(database)}): ` +
        `a program writing to it or holding a transaction open, or a mig run applying a migration (in SQLite's default rollback journal, ` +
        `readers and a committing writer wait for each other; in WAL mode, PRAGMA journal_mode = WAL, they do not). ` +
        `Nothing more was written. Find the program that has ${file} open (for example with \`fuser ${file}\`) and let it finish, or wait longer: ` +
        `busyTimeoutMs, or ?busy_timeout=<ms> at the end of a CLI URL.`,
      { sqlState, position, cause: error },
    )
  }
  const message = (error as Error).message
  return new DatabaseError(message, { sqlState, position, hint: hintFor(message, sqlState, file), cause: error })
}

/** The connection's busy_timeout: an application's own connection may have none. */
function waitOf(database: SqliteDatabase): string {
  try {
    return `busy_timeout ${busyTimeoutOf(database)} ms`
  } catch {
    return 'busy_timeout'
  }
}

function hintFor(message: string, sqlState: string | undefined, file: string | undefined): string | undefined {
  if (OUTSIDE_TRANSACTION_ONLY.test(message)) {
    return 'SQLite runs this statement only outside a transaction, and mig runs this migration in one: move it to a migration of its own that starts with "-- mig:no-transaction".'
  }
  const dependent = /^error in (view|trigger) (.+?): no such table: (.+)$/.exec(message)
  if (dependent) {
    return (
      `SQLite checks every view and trigger when a table is renamed, and ${dependent[1]} ${dependent[2]} refers to ${dependent[3]}, which does not exist at that moment ` +
      `(a table rebuild dropped it). Drop the ${dependent[1]} before the rebuild and create it again after the rename, as SQLite's procedure for changing a table says.`
    )
  }
  if (file && sqlState === 'SQLITE_NOTADB') {
    return `${file} is not a SQLite database (nor an empty file): check the path in the URL.`
  }
  if (file && sqlState?.startsWith('SQLITE_READONLY')) {
    return `${file} is read-only for the user running mig: it needs write access to the file and to its folder, where SQLite writes its journal.`
  }
  return undefined
}

/** SQLite's refusals of a statement inside a transaction (VACUUM, a change of journal_mode to or from WAL). */
const OUTSIDE_TRANSACTION_ONLY = /^cannot (?:VACUUM|change (?:into|out of) wal mode) from within a transaction/i
