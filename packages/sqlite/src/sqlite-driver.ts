import { existsSync, lstatSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseError, type Driver, defineDriver, InvalidOptionsError, refuseUnknownOptions, type SchemaObjectRef } from '@mig/core'
import Database from 'better-sqlite3'
import { borrowBusyTimeout } from './sqlite-busy-timeout.js'
import type { SqliteDatabase } from './sqlite-database.js'
import { quoteSqliteIdentifier, sqliteDialectText } from './sqlite-dialect-text.js'
import { realFile, sqliteLockPart } from './sqlite-lock.js'
import { type SqlitePragmaValue, validatePragmas } from './sqlite-pragmas.js'
import { describeSqliteSchema } from './sqlite-schema.js'
import { renderSqliteChanges } from './sqlite-schema-changes.js'
import { renderSqliteSchema } from './sqlite-schema-render.js'
import { SqliteSession, sqliteError } from './sqlite-session.js'

export type SqliteDriverOptions = (
  | {
      /** A database file, or `:memory:`. */
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
   * per-connection settings, which a migration cannot make last. With `database`, they are set
   * on the application's connection and stay set.
   */
  readonly pragmas?: Readonly<Record<string, SqlitePragmaValue>>
  /**
   * How long a statement waits for another connection's write lock. Default 5000 ms. With
   * `database`, the connection's own timeout unless this is given, in which case it holds while
   * mig works on the connection and the connection's own is put back afterwards.
   */
  readonly busyTimeoutMs?: number
  /**
   * What a missing database file means: `create` it (the default) at mig's first write, so that
   * a run refused by its checks leaves no file; `read-as-empty` for read-only work (status,
   * validate, a dry run), which then sees an empty database and creates no file; or `refuse` it,
   * creating no file, for work that needs the database that is there (baseline, repair, down,
   * redo, dump, drift).
   */
  readonly missingFile?: SqliteMissingFile
}

export type SqliteMissingFile = 'create' | 'read-as-empty' | 'refuse'

const OPTIONS: Readonly<Record<'filename' | 'database' | 'pragmas' | 'busyTimeoutMs' | 'missingFile', true>> = {
  filename: true,
  database: true,
  pragmas: true,
  busyTimeoutMs: true,
  missingFile: true,
}

/** A mig driver for SQLite over better-sqlite3. */
export function sqliteDriver(options: SqliteDriverOptions): Driver<SqliteSession> {
  refuseUnknownOptions(options, OPTIONS, 'sqliteDriver')
  const pragmas = validatePragmas(options?.pragmas ?? {})
  const busyTimeoutMs = options?.busyTimeoutMs ?? 5000
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new InvalidOptionsError(`busyTimeoutMs must be a whole number of milliseconds, not ${options.busyTimeoutMs}.`)
  }
  const open = opener(options, busyTimeoutMs, options?.missingFile ?? 'create')
  const setPragmas = (database: SqliteDatabase, owned: boolean) => {
    try {
      for (const [name, value] of pragmas) database.exec(`PRAGMA ${name} = ${value}`)
    } catch (error) {
      if (owned) database.close()
      throw sqliteError(error)
    }
    return database
  }
  return defineDriver({
    dialect: 'sqlite',
    text: sqliteDialectText,
    async connect() {
      const { database, owned, missing } = open()
      setPragmas(database, owned)
      let restoreBusyTimeout: (() => void) | undefined
      // The application's connection keeps its own timeout unless the option asks mig to wait otherwise.
      if (!owned && options.busyTimeoutMs !== undefined) {
        try {
          restoreBusyTimeout = borrowBusyTimeout(database, busyTimeoutMs)
        } catch (error) {
          throw sqliteError(error)
        }
      }
      const file = missing && {
        ...missing,
        // Read-only work never creates the file, even if it vanishes again before it is opened.
        open: () => setPragmas(openDatabase(missing.path, busyTimeoutMs, { mustExist: !missing.createOnWrite }), true),
      }
      return new SqliteSession(database, owned, restoreBusyTimeout, file)
    },
    lock: sqliteLockPart,
    schema: {
      async describe(session, historyTable) {
        try {
          return describeSqliteSchema(session.database, historyTable)
        } catch (error) {
          throw sqliteError(error, undefined, session.database)
        }
      },
      async createScratchDatabase() {
        const database = openDatabase(':memory:', busyTimeoutMs)
        return { driver: sqliteDriver({ database, pragmas: options.pragmas }), destroy: async () => void database.close() }
      },
      renderDrop,
      renderSchema: renderSqliteSchema,
      renderChanges: renderSqliteChanges,
    },
  })
}

/** How the driver gets its database for each operation: the user's, an in-memory one kept for the driver's life, or a file opened anew. */
function opener(
  options: SqliteDriverOptions,
  busyTimeoutMs: number,
  missingFile: SqliteMissingFile,
): () => { database: SqliteDatabase; owned: boolean; missing?: { path: string; createOnWrite: boolean } } {
  if (options?.database) {
    const database = options.database
    if (typeof database.prepare !== 'function' || typeof database.exec !== 'function') {
      throw new InvalidOptionsError(
        `database must be a better-sqlite3 Database, such as new Database("app.db")${typeof database === 'string' ? `; for a file name, give { filename: ${JSON.stringify(database)} }` : ''}.`,
      )
    }
    return () => ({ database, owned: false })
  }
  if (typeof options?.filename !== 'string' || options.filename === '') {
    throw new InvalidOptionsError(
      'sqliteDriver needs { filename: "app.db" } (or ":memory:"), or { database } with a better-sqlite3 Database.',
    )
  }
  const filename = options.filename
  // An in-memory database lives as long as its connection, so it is kept for the driver's life.
  let memory: SqliteDatabase | undefined
  return () => {
    if (filename !== ':memory:') {
      if (missingFile === 'refuse') return { database: openDatabase(filename, busyTimeoutMs, { mustExist: true }), owned: true }
      // Read-only work reads as empty whatever is missing (the file, its folder, a symlink's target), and creates none of it.
      const absent = missingFile === 'read-as-empty' ? !existsSync(filename) : isNewFileIn(filename)
      if (!absent) return { database: openDatabase(filename, busyTimeoutMs), owned: true }
      const missing = { path: filename, createOnWrite: missingFile === 'create' }
      return { database: openDatabase(':memory:', busyTimeoutMs), owned: true, missing }
    }
    memory ??= openDatabase(filename, busyTimeoutMs)
    return { database: memory, owned: false }
  }
}

/**
 * Nothing is where the path leads (through a symlink, its target) and that folder exists: the file
 * is made on first write. Any other case opens the path now, so that SQLite names what is wrong with it.
 */
function isNewFileIn(filename: string): boolean {
  const target = realFile(filename)
  try {
    return lstatSync(target, { throwIfNoEntry: false }) === undefined && statSync(dirname(target)).isDirectory()
  } catch {
    return false
  }
}

function renderDrop(object: SchemaObjectRef): string {
  if (object.kind !== 'view' && object.kind !== 'table') throw new Error(`SQLite has no ${object.kind} to drop (${object.name}).`)
  return `DROP ${object.kind === 'view' ? 'VIEW' : 'TABLE'} ${quoteSqliteIdentifier(object.name)};`
}

export function openDatabase(filename: string, busyTimeoutMs: number, { mustExist = false } = {}): SqliteDatabase {
  try {
    // fileMustExist lets SQLite itself refuse the missing file: no gap between a check and the open.
    return new Database(filename, { timeout: busyTimeoutMs, fileMustExist: mustExist }) as unknown as SqliteDatabase
  } catch (error) {
    if (mustExist && !existsSync(filename)) {
      throw new DatabaseError(`The SQLite database ${filename} does not exist, so mig created nothing.`, {
        sqlState: (error as { code?: string }).code,
        hint: 'Check the path in the URL. For a new database, mig up creates the file and applies the migrations; mig db create creates it empty.',
        cause: error,
      })
    }
    const folder = dirname(filename)
    if (!existsSync(folder)) {
      throw new DatabaseError(`Cannot open the SQLite database ${filename}: its folder ${folder} does not exist.`, {
        sqlState: (error as { code?: string }).code,
        hint: 'Check the path in the URL, or create the folder; mig up then creates the database in it.',
        cause: error,
      })
    }
    throw new DatabaseError(`Cannot open the SQLite database ${filename}: ${(error as Error).message}.`, {
      sqlState: (error as { code?: string }).code,
      cause: error,
    })
  }
}
