import type { Driver } from '@mig/core'
import { redactUrl } from '@mig/core'
import { CliError, configError } from './cli-error.js'
import type { DialectOptions } from './settings.js'

/** A dialect the CLI knows: the URL schemes it serves and the package that brings it. */
interface Dialect {
  readonly schemes: readonly string[]
  readonly packageName: string
  readonly clientName: string
}

/**
 * What every dialect package exports for the CLI: a driver for a URL, parsed by the dialect
 * itself. `baseDirectory` is what a relative path resolves against (the config file's folder
 * for a URL from the config file, else the working directory).
 */
interface DialectModule {
  driverFromUrl(url: string, options: { baseDirectory: string } & DialectOptions): Driver
}

const DIALECTS: readonly Dialect[] = [
  { schemes: ['sqlite', 'sqlite3'], packageName: '@mig/sqlite', clientName: 'better-sqlite3' },
  { schemes: ['postgres', 'postgresql'], packageName: '@mig/postgres', clientName: 'pg' },
]

/**
 * The driver for a database URL. The dialect package is imported only now that a URL needs it,
 * so a project installs only the dialect it uses: `@mig/cli @mig/postgres` works without
 * better-sqlite3 anywhere.
 */
export async function driverFromUrl(url: string, baseDirectory: string, options: DialectOptions = {}): Promise<Driver> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase()
  const dialect = DIALECTS.find((candidate) => scheme !== undefined && candidate.schemes.includes(scheme))
  if (!dialect) {
    throw configError(
      `The database URL ${redactUrl(url)} is not supported. Use sqlite:./app.db, sqlite::memory:, or postgres://user@host:5432/database.`,
    )
  }
  const module = await importDialect(dialect)
  return module.driverFromUrl(url, { baseDirectory, ...options })
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
