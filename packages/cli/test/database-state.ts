import type { Driver } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'

/** Reads the database's own state through the dialect's driver, the way a user's tools would. */
export async function queryRows<Row = Record<string, unknown>>(driver: Driver, sql: string, params: unknown[] = []): Promise<Row[]> {
  const connection = await driver.connect()
  try {
    return await connection.query<Row>(sql, params)
  } finally {
    await connection.close()
  }
}

export function sqliteTables(filename: string): Promise<string[]> {
  return queryRows<{ name: string }>(sqliteDriver({ filename }), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").then(
    (rows) => rows.map((row) => row.name),
  )
}

/** Versions are stored as text on SQLite (they may be 20 digits long), so they are read as numbers here. */
export function sqliteHistory(filename: string, table = 'mig_migrations'): Promise<{ version: number; state: string }[]> {
  return queryRows<{ version: string | number; state: string }>(
    sqliteDriver({ filename }),
    `SELECT version, state FROM "${table}" ORDER BY CAST(version AS INTEGER)`,
  ).then((rows) => rows.map((row) => ({ version: Number(row.version), state: row.state })))
}

export function postgresTables(connectionString: string, schema = 'public'): Promise<string[]> {
  return queryRows<{ table_name: string }>(
    postgresDriver({ connectionString }),
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  ).then((rows) => rows.map((row) => row.table_name))
}

export function postgresHistory(
  connectionString: string,
  qualifiedTable = 'public.mig_migrations',
): Promise<{ version: number; state: string }[]> {
  return queryRows<{ version: string | number; state: string }>(
    postgresDriver({ connectionString }),
    `SELECT version, state FROM ${qualifiedTable} ORDER BY version`,
  ).then((rows) => rows.map((row) => ({ version: Number(row.version), state: row.state })))
}
