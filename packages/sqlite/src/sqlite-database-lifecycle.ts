import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { DatabaseError, type DatabaseLifecycleOptions, type DatabaseProbe, describeHolder, InvalidOptionsError, redactUrl } from '@mig/core'
import { openDatabase, sqliteDriver } from './sqlite-driver.js'
import { SqliteLockFile } from './sqlite-lock-file.js'
import { sqliteFilename } from './sqlite-url.js'

/**
 * Looks once at the database file. An existing file is opened and read, so that a file that is
 * not a database fails at once (waiting cannot cure it).
 */
export async function probeDatabase(url: string, options: DatabaseLifecycleOptions): Promise<DatabaseProbe> {
  const filename = sqliteFilename(url, options.baseDirectory)
  if (filename === ':memory:') return { state: 'ready' }
  if (!existsSync(filename)) {
    const folder = dirname(filename)
    return isFolder(folder)
      ? { state: 'missing-database', reason: `The SQLite database ${filename} does not exist yet.` }
      : { state: 'unreachable', reason: `The folder ${folder} of the SQLite database does not exist.` }
  }
  const session = await sqliteDriver({ filename, missingFile: 'read-as-empty' }).connect()
  try {
    await session.query('SELECT count(*) FROM sqlite_schema')
    return { state: 'ready' }
  } catch (error) {
    const failure = error as DatabaseError
    throw new DatabaseError(`The SQLite database ${filename} cannot be read: ${failure.message}`, {
      sqlState: failure.sqlState,
      cause: error,
    })
  } finally {
    await session.close()
  }
}

/** Creates the database file (an empty SQLite database) unless it exists. Its folder must exist. */
export async function createDatabase(url: string, options: DatabaseLifecycleOptions): Promise<'created' | 'exists'> {
  const filename = fileOf(url, options, 'create')
  if (existsSync(filename)) {
    refuseOtherFiles(filename, 'create')
    return 'exists'
  }
  const folder = dirname(filename)
  if (!isFolder(folder)) {
    throw new InvalidOptionsError(
      `The folder ${folder} does not exist, so ${basename(filename)} cannot be created in it. Create the folder first.`,
    )
  }
  openDatabase(filename, 0).close()
  return 'created'
}

/**
 * Deletes the database file with the files SQLite keeps beside it: the journal, the WAL and its
 * index. mig's lock files (`<file>.<history table>.lock`) stay, as {@link SqliteLockFile} says
 * why; each is held while the file goes, so that no run is part-way through a migration, and a
 * run holding one is named in a refusal. A symlink the URL names stays, so that `createDatabase`
 * through it makes the file again where it points.
 */
export async function dropDatabase(url: string, options: DatabaseLifecycleOptions): Promise<'dropped' | 'missing'> {
  const named = fileOf(url, options, 'drop')
  if (!existsSync(named)) return 'missing'
  // Through a symlink, the database and the files beside it are where the link points.
  const filename = realpathSync(named)
  refuseOtherFiles(filename, 'drop')
  const name = basename(filename)
  const folder = dirname(filename)
  const besides = readdirSync(folder).filter((file) => file.startsWith(name))
  const locks = besides
    .filter((file) => file.startsWith(`${name}.`) && file.endsWith('.lock'))
    .map((file) => new SqliteLockFile(join(folder, file), filename))
  try {
    for (const lock of locks) holdForDrop(lock, filename)
    const journals = besides.filter((file) => ['-journal', '-wal', '-shm'].some((suffix) => file === `${name}${suffix}`))
    for (const file of [name, ...journals]) rmSync(join(folder, file), { force: true })
  } finally {
    for (const lock of locks) lock.close()
  }
  return 'dropped'
}

function holdForDrop(lock: SqliteLockFile, filename: string): void {
  if (lock.tryAcquire()) return
  const holder = describeHolder(lock.describeHolder() ?? {})
  throw new DatabaseError(
    `mig db drop leaves ${filename} alone: a migration run holds its lock ${lock.path} (${holder}). Let that run finish, or stop it, and run mig db drop again.`,
    { sqlState: 'SQLITE_BUSY' },
  )
}

/**
 * A mistyped URL must not delete a file that is not a database, nor pass it off as one that
 * exists: only an empty file or one that starts as SQLite's do.
 */
function refuseOtherFiles(filename: string, action: 'create' | 'drop'): void {
  if (isSqliteFile(filename)) return
  throw new InvalidOptionsError(
    action === 'drop'
      ? `${filename} is not a SQLite database, so mig db drop leaves it alone. Check the URL.`
      : `${filename} exists but is not a SQLite database, so mig db create leaves it alone. Check the URL.`,
  )
}

function isSqliteFile(filename: string): boolean {
  if (isFolder(filename)) return false
  const header = Buffer.alloc(SQLITE_HEADER.length)
  const file = openSync(filename, 'r')
  let read: number
  try {
    read = readSync(file, header, 0, header.length, 0)
  } finally {
    closeSync(file)
  }
  return read === 0 || header.equals(SQLITE_HEADER)
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1')

function fileOf(url: string, options: DatabaseLifecycleOptions, action: 'create' | 'drop'): string {
  const filename = sqliteFilename(url, options.baseDirectory)
  if (filename === ':memory:') {
    throw new InvalidOptionsError(
      `${redactUrl(url)} is an in-memory database: there is no file to ${action}. Name a file, e.g. sqlite:./app.db.`,
    )
  }
  return filename
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
