import type { DialectText, Driver } from '@mig/core'
import type { LintDialect } from './lint-rule.js'

interface SqliteModule {
  sqliteDriver(options: { filename: string }): Driver
}

interface PostgresModule {
  postgresDriver(options: { connectionString: string }): Driver
}

const loading = new Map<LintDialect, Promise<DialectText | undefined>>()

/**
 * The dialect text of the dialect's driver package, imported only to lint that dialect; creating
 * the driver opens nothing. SQLite migrations are read with @mig/sqlite's splitter, so it must be
 * installed. PostgreSQL migrations are read with PostgreSQL's own parser, and @mig/postgres (with
 * pg) only names what only psql can run: without it, undefined.
 */
export function driverDialectText(dialect: 'sqlite'): Promise<DialectText>
export function driverDialectText(dialect: LintDialect): Promise<DialectText | undefined>
export function driverDialectText(dialect: LintDialect): Promise<DialectText | undefined> {
  let text = loading.get(dialect)
  if (!text) {
    text = dialect === 'sqlite' ? loadSqlite() : loadPostgres()
    loading.set(dialect, text)
    text.catch(() => loading.delete(dialect))
  }
  return text
}

async function loadSqlite(): Promise<DialectText> {
  const module = (await importPackage('@mig/sqlite')) as SqliteModule
  return module.sqliteDriver({ filename: ':memory:' }).text
}

async function loadPostgres(): Promise<DialectText | undefined> {
  try {
    const module = (await importPackage('@mig/postgres')) as PostgresModule
    return module.postgresDriver({ connectionString: 'postgres://localhost/lint' }).text
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined
    throw error
  }
}

function importPackage(name: string): Promise<unknown> {
  // A specifier in a variable keeps bundlers from resolving the optional package at build time.
  const specifier: string = name
  return import(specifier)
}
