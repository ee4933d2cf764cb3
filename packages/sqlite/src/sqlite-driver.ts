import {
  type AcquireLockOptions,
  DatabaseError,
  type Driver,
  type DriverConnection,
  type HistorySql,
  type HistoryTableName,
  InvalidOptionsError,
  quoteIdentifier,
  type SchemaSnapshot,
} from '@mig/core'
import Database from 'better-sqlite3'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'
import { SqliteLock } from './sqlite-lock.js'
import { inspectSqliteScript } from './sqlite-pragma-check.js'
import { describeSqliteSchema } from './sqlite-schema.js'
import { renderSqliteSchema } from './sqlite-schema-render.js'
import { classifySqliteStatement } from './sqlite-statement-role.js'
import { splitSqliteStatements } from './sqlite-statement-splitter.js'

export type SqlitePragmaValue = string | number | boolean

export type SqliteDriverOptions = (
  | {
      /** A database file, created if missing, or `:memory:`. */
      readonly filename: string
      readonly database?: never
    }
  | {
      /** A better-sqlite3 `Database` the application already has; mig leaves it open. */
      readonly database: SqliteDatabase
      readonly filename?: never
    }
) & {
  /**
   * PRAGMAs set on every connection mig opens, such as `{ foreign_keys: 'ON' }`: the place for
   * per-connection settings, which a migration cannot make last.
   */
  readonly pragmas?: Readonly<Record<string, SqlitePragmaValue>>
  /** How long a statement waits for another connection's write lock. Default 5000 ms. */
  readonly busyTimeoutMs?: number
}

/** A mig driver for SQLite over better-sqlite3. */
export function sqliteDriver(options: SqliteDriverOptions): Driver {
  const pragmas = validatePragmas(options?.pragmas ?? {})
  const busyTimeoutMs = options?.busyTimeoutMs ?? 5000
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidOptionsError(`busyTimeoutMs must be a whole number of milliseconds, not ${options.busyTimeoutMs}.`)
  }
  let open: () => { database: SqliteDatabase; owned: boolean }
  if (options?.database) {
    const database = options.database
    open = () => ({ database, owned: false })
  } else if (typeof options?.filename === 'string' && options.filename !== '') {
    const filename = options.filename
    // An in-memory database lives as long as its connection, so it is kept for the driver's life.
    let memory: SqliteDatabase | undefined
    open = () => {
      if (filename === ':memory:') {
        memory ??= openDatabase(filename, busyTimeoutMs)
        return { database: memory, owned: false }
      }
      return { database: openDatabase(filename, busyTimeoutMs), owned: true }
    }
  } else {
    throw new InvalidOptionsError(
      'sqliteDriver needs { filename: "app.db" } (or ":memory:"), or { database } with a better-sqlite3 Database.',
    )
  }
  return {
    dialect: 'sqlite',
    capabilities: { transactionalDdl: true, schemas: false, schemaSnapshots: true },
    async createScratchDatabase() {
      const database = openDatabase(':memory:', busyTimeoutMs)
      return { driver: sqliteDriver({ database, pragmas: options.pragmas }), destroy: async () => void database.close() }
    },
    renderSchema: renderSqliteSchema,
    async connect() {
      const { database, owned } = open()
      try {
        for (const [name, value] of pragmas) database.exec(`PRAGMA ${name} = ${value}`)
      } catch (error) {
        if (owned) database.close()
        throw toDatabaseError(error)
      }
      return new SqliteConnection(database, owned)
    },
  }
}

class SqliteConnection implements DriverConnection {
  private readonly lock: SqliteLock
  private readonly statements = new Map<string, SqliteStatement>()

  constructor(
    private readonly database: SqliteDatabase,
    private readonly owned: boolean,
  ) {
    this.lock = new SqliteLock(database)
  }

  async runScript(sql: string): Promise<void> {
    // Statement by statement, so that a failure can name its position in the file.
    for (const statement of splitSqliteStatements(sql)) {
      try {
        this.database.exec(statement.text)
      } catch (error) {
        throw toDatabaseError(error, statement.offset)
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
      throw toDatabaseError(error)
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

  splitStatements = splitSqliteStatements

  inspectScript = inspectSqliteScript

  classifyStatement = classifySqliteStatement

  historySql(table: HistoryTableName): HistorySql {
    const name = quoteIdentifier(table.name)
    const columns = 'version, name, checksum, state, applied_at, execution_ms, applied_by, detail'
    return {
      createTable: `CREATE TABLE IF NOT EXISTS ${name} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('applied', 'baselined', 'failed')),
  applied_at TEXT NOT NULL,
  execution_ms INTEGER NOT NULL,
  applied_by TEXT NOT NULL,
  detail TEXT
)`,
      tableExists: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${table.name}'`,
      selectAll: `SELECT ${columns} FROM ${name} ORDER BY version`,
      insert: `INSERT INTO ${name} (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      update: `UPDATE ${name} SET state = ?, checksum = ?, applied_at = ?, execution_ms = ?, detail = ? WHERE version = ?`,
      delete: `DELETE FROM ${name} WHERE version = ?`,
    }
  }

  async describeSchema(options: { historyTable: HistoryTableName }): Promise<SchemaSnapshot> {
    return describeSqliteSchema(this.database, options.historyTable)
  }

  acquireLock(table: HistoryTableName, options: AcquireLockOptions): Promise<void> {
    return this.lock.acquire(table, options)
  }

  async releaseLock(): Promise<void> {
    this.lock.release()
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

function openDatabase(filename: string, busyTimeoutMs: number): SqliteDatabase {
  try {
    return new Database(filename, { timeout: busyTimeoutMs }) as unknown as SqliteDatabase
  } catch (error) {
    throw new DatabaseError(`Cannot open the SQLite database ${filename}: ${(error as Error).message}.`, {
      sqlState: (error as { code?: string }).code,
      cause: error,
    })
  }
}

const PRAGMA_VALUE = /^(?:[A-Za-z_][A-Za-z0-9_]*|-?\d+)$/

function validatePragmas(pragmas: Readonly<Record<string, SqlitePragmaValue>>): [string, string][] {
  return Object.entries(pragmas).map(([name, value]) => {
    const text = typeof value === 'boolean' ? (value ? 'ON' : 'OFF') : String(value)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !PRAGMA_VALUE.test(text)) {
      throw new InvalidOptionsError(`PRAGMA ${name} = ${text} is not a plain name and value; give e.g. { foreign_keys: 'ON' }.`)
    }
    return [name, text]
  })
}

function toDatabaseError(error: unknown, position?: number): DatabaseError {
  if (error instanceof DatabaseError) return error
  return new DatabaseError((error as Error).message, { sqlState: (error as { code?: string }).code, position, cause: error })
}
