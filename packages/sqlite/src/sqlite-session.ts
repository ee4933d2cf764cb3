import { DatabaseError, type DriverSession } from '@mig/core'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'
import { splitSqliteStatements } from './sqlite-statement-splitter.js'

/** One operation's connection: better-sqlite3 is synchronous, so every call completes at once. */
export class SqliteSession implements DriverSession {
  private readonly statements = new Map<string, SqliteStatement>()

  constructor(
    readonly database: SqliteDatabase,
    private readonly owned: boolean,
  ) {}

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
    // IMMEDIATE takes the write lock up front: a deferred transaction that upgrades later can
    // fail with SQLITE_BUSY without waiting.
    await this.runScript('BEGIN IMMEDIATE')
  }

  async commit(): Promise<void> {
    await this.runScript('COMMIT')
  }

  async rollback(): Promise<void> {
    if (this.database.inTransaction) await this.runScript('ROLLBACK')
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
