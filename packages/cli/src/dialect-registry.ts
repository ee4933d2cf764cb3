import type { DatabaseLifecycleOptions, DatabaseProbe, Driver, SqlRange } from '@mig/core'
import { redactUrl } from '@mig/core'
import { CliError, configError } from './cli-error.js'

/** A dialect the CLI knows: the URL schemes it serves and the package that brings it. */
interface Dialect {
  /** The driver's `dialect`. */
  readonly name: string
  readonly schemes: readonly string[]
  readonly packageName: string
  readonly clientName: string
}

/**
 * What the command does with the database, which decides what a missing one (a SQLite file)
 * means: `read-write` creates it (up); `read-only` reads it as empty and creates nothing
 * (status, validate, plan); `existing` refuses it and creates nothing, for a command whose
 * subject is the database that is there (baseline, repair, down, redo, dump, drift).
 */
export type DatabaseAccess = 'read-only' | 'read-write' | 'existing'

export interface DriverFromUrlOptions {
  /** What a relative path resolves against: the config file's folder for a URL from the config file, else the working directory. */
  readonly baseDirectory: string
  readonly access: DatabaseAccess
  /** PostgreSQL: the schema a fleet target lives in (`search_path` and history table). */
  readonly schema?: string
  /** PostgreSQL: the lock kind (`--lock`) and `lock_timeout` for migration statements (`--table-lock-timeout`). */
  readonly lock?: string
  readonly lockTimeout?: string
}

/** What every dialect package exports for the CLI: a driver for a URL, parsed by the dialect itself. */
interface DialectModule {
  driverFromUrl(url: string, options: DriverFromUrlOptions): Driver
  /** The strings, quoted names and comments of a SQL text, which placeholders leave alone (`mig lint` reads files without a driver). */
  literalRanges?(sql: string): SqlRange[]
  /** Optional: a note about the database the URL names, e.g. that a read-only command found no file. */
  describeDatabase?(url: string, options: DriverFromUrlOptions): string | undefined
  /** `mig wait` and `mig db`: the database as a whole, by its URL (see `DatabaseProbe` in @mig/core). */
  probeDatabase?(url: string, options: DatabaseLifecycleOptions): Promise<DatabaseProbe>
  createDatabase?(url: string, options: DatabaseLifecycleOptions): Promise<'created' | 'exists'>
  dropDatabase?(url: string, options: DatabaseLifecycleOptions): Promise<'dropped' | 'missing'>
}

/** What `mig wait` and `mig db` call on the URL's dialect package. */
export type DatabaseLifecycle = Required<Pick<DialectModule, 'probeDatabase' | 'createDatabase' | 'dropDatabase'>>

const DIALECTS: readonly Dialect[] = [
  { name: 'sqlite', schemes: ['sqlite', 'sqlite3'], packageName: '@mig/sqlite', clientName: 'better-sqlite3' },
  { name: 'postgres', schemes: ['postgres', 'postgresql'], packageName: '@mig/postgres', clientName: 'pg' },
]

/**
 * The driver for a database URL. The dialect package is imported only now that a URL needs it,
 * so a project installs only the dialect it uses: `@mig/cli @mig/postgres` works without
 * better-sqlite3 anywhere.
 */
export async function driverFromUrl(url: string, options: DriverFromUrlOptions): Promise<Driver> {
  return (await dialectModule(url)).driverFromUrl(url, options)
}

/** A note about the database a URL names, when its dialect has one to give. */
export async function describeDatabase(url: string, options: DriverFromUrlOptions): Promise<string | undefined> {
  return (await dialectModule(url)).describeDatabase?.(url, options)
}

/** Probing, creating and dropping the database a URL names, from its dialect package. */
export async function databaseLifecycle(url: string): Promise<DatabaseLifecycle> {
  const dialect = dialectOf(url)
  const module = await importDialect(dialect)
  const { probeDatabase, createDatabase, dropDatabase } = module
  if (!probeDatabase || !createDatabase || !dropDatabase) {
    throw configError(`The installed ${dialect.packageName} is older than this mig: update it to use mig wait and mig db.`)
  }
  return { probeDatabase, createDatabase, dropDatabase }
}

/** How a dialect tells SQL code from its strings and comments, for filling placeholders without a database. */
export async function literalRangesOf(name: string): Promise<Pick<Driver['text'], 'literalRanges'>> {
  const dialect = DIALECTS.find((candidate) => candidate.name === name) as Dialect
  return { literalRanges: (await importDialect(dialect)).literalRanges }
}

/** The dialect a URL names (`sqlite`, `postgres`), without loading its package. */
export function dialectOfUrl(url: string): string {
  return dialectOf(url).name
}

async function dialectModule(url: string): Promise<DialectModule> {
  return importDialect(dialectOf(url))
}

function dialectOf(url: string): Dialect {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase()
  const dialect = DIALECTS.find((candidate) => scheme !== undefined && candidate.schemes.includes(scheme))
  if (!dialect) {
    // A bare file name is the most common slip: name the URL the user meant.
    const file = scheme === undefined && /\.(db|db3|sqlite3?)$/i.test(url.trim()) ? url.trim() : undefined
    throw configError(
      file
        ? `The database URL ${file} has no scheme. A SQLite file is written sqlite:${file}.`
        : `The database URL ${redactUrl(url)} is not supported. Use sqlite:./app.db, sqlite::memory:, or postgres://user@host:5432/database.`,
    )
  }
  return dialect
}

async function importDialect(dialect: Dialect): Promise<DialectModule> {
  // A specifier in a variable keeps bundlers and TypeScript from resolving the package at build time.
  const specifier: string = dialect.packageName
  try {
    return (await import(specifier)) as DialectModule
  } catch (error) {
    throw missingPackageError(error, dialect) ?? error
  }
}

function missingPackageError(error: unknown, dialect: Dialect): CliError | undefined {
  const code = (error as { code?: string }).code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined
  const message = (error as Error).message
  const scheme = `${dialect.schemes[0]}:`
  if (message.includes(`'${dialect.packageName}'`)) {
    return new CliError(
      'MIG_DIALECT_MISSING',
      `The ${scheme} URL needs ${dialect.packageName}: npm install ${dialect.packageName} ${dialect.clientName}`,
    )
  }
  if (message.includes(`'${dialect.clientName}'`)) {
    return new CliError('MIG_DIALECT_MISSING', `The ${scheme} URL needs ${dialect.clientName}: npm install ${dialect.clientName}`)
  }
  return undefined
}
