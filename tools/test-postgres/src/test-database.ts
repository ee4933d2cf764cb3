import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** A database made for one test file. */
export interface TestDatabase {
  readonly name: string
  /** Connection URL of this database. */
  readonly url: string
  /** Drops the database, ending any session still connected to it. */
  drop(): Promise<void>
}

/** Creates `mig_test_<random>` on the server at `serverUrl` (PostgreSQL 13+, for `DROP DATABASE ... WITH (FORCE)`). */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `mig_test_${randomBytes(6).toString('hex')}`
  await onServer(serverUrl, `CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  client.on('error', () => {})
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}
