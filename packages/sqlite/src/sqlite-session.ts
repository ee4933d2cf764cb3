import { DatabaseError, type DriverSession } from '@mig/core'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'
import { SqliteForeignKeys } from './sqlite-foreign-keys.js'
import { splitSqliteStatements } from './sqlite-statement-splitter.js'

/** One operation's connection: better-sqlite3 is synchronous, so every call completes at once. */
export class SqliteSession implements DriverSession {
  private readonly statements = new Map<string, SqliteStatement>()
  private readonly foreignKeys: SqliteForeignKeys

  constructor(
    readonly database: SqliteDatabase,
    private readonly owned: boolean,
  ) {
    this.foreignKeys = new SqliteForeignKeys(database)
  }

  async runScript(sql: string): Promise<void> {
    // Statement by statement, so that a failure can name its position in the file.
    for (const statement of splitSqliteStatements(sql)) {
      try {
        this.database.exec(statement.text)
      } catch (error) {
        throw sqliteError(error, statement.offset)
      }
    }
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      let statement = this.statements.get(sql)
      if (!statement) {
        statement = this.database.prepare(sql)
        this.statements.set(sql, statement)
      }
      if (statement.reader) return statement.all(...params) as Row[]
      statement.run(...params)
      return []
    } catch (error) {
      throw sqliteError(error)
    }
  }

  async begin(): Promise<void> {
    this.foreignKeys.suspend()
    try {
      // IMMEDIATE takes the write lock up front: a deferred transaction that upgrades later can
      // fail with SQLITE_BUSY without waiting.
      await this.runScript('BEGIN IMMEDIATE')
    } catch (error) {
      this.foreignKeys.restore()
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
      await this.runScript('COMMIT')
    } finally {
      this.foreignKeys.restore()
    }
  }

  async rollback(): Promise<void> {
    try {
      if (this.database.inTransaction) await this.runScript('ROLLBACK')
    } finally {
      this.foreignKeys.restore()
    }
  }

  async close(): Promise<void> {
    this.statements.clear()
    if (!this.owned) return
    try {
      this.database.close()
    } catch {
      // Already closed.
    }
  }
}

export function sqliteError(error: unknown, position?: number): DatabaseError {
  if (error instanceof DatabaseError) return error
  return new DatabaseError((error as Error).message, { sqlState: (error as { code?: string }).code, position, cause: error })
}
