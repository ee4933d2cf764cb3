import type { Driver } from '@mig/core'
import { CliError } from './cli-error.js'
import type { DatabaseTarget } from './database-url.js'

interface DialectPackage {
  readonly packageName: string
  readonly clientName: string
  readonly scheme: string
}

const SQLITE: DialectPackage = { packageName: '@mig/sqlite', clientName: 'better-sqlite3', scheme: 'sqlite:' }
const POSTGRES: DialectPackage = { packageName: '@mig/postgres', clientName: 'pg', scheme: 'postgres:' }

interface SqliteModule {
  sqliteDriver(options: { filename: string }): Driver
}

interface PostgresModule {
  postgresDriver(options: { connectionString: string }): Driver
}

/**
 * Imports the dialect package only now that a URL needs it, so a project installs only the
 * dialect it uses: `@mig/cli @mig/postgres` works without better-sqlite3 anywhere.
 */
export async function loadDriver(target: DatabaseTarget): Promise<Driver> {
  if (target.dialect === 'sqlite') {
    const module = await importDialect<SqliteModule>(SQLITE)
    return module.sqliteDriver({ filename: target.filename })
  }
  const module = await importDialect<PostgresModule>(POSTGRES)
  return module.postgresDriver({ connectionString: target.connectionString })
}

async function importDialect<T>(dialect: DialectPackage): Promise<T> {
  // A specifier in a variable keeps bundlers and TypeScript from resolving the package at build time.
  const specifier: string = dialect.packageName
  try {
    return (await import(specifier)) as T
  } catch (error) {
    throw missingPackageError(error, dialect) ?? error
  }
}

function missingPackageError(error: unknown, dialect: DialectPackage): CliError | undefined {
  const code = (error as { code?: string }).code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined
  const message = (error as Error).message
  if (message.includes(`'${dialect.packageName}'`)) {
    return new CliError(
      'MIG_DIALECT_MISSING',
      `The ${dialect.scheme} URL needs ${dialect.packageName}: npm install ${dialect.packageName} ${dialect.clientName}`,
    )
  }
  if (message.includes(`'${dialect.clientName}'`)) {
    return new CliError('MIG_DIALECT_MISSING', `The ${dialect.scheme} URL needs ${dialect.clientName}: npm install ${dialect.clientName}`)
  }
  return undefined
}
