import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import pg from 'pg'
import { afterAll, beforeAll, inject } from 'vitest'

/** A fresh database on the run's test server; drop it when done. */
export function createDatabase(): Promise<TestDatabase> {
  return createTestDatabase(inject('postgresUrl'))
}

/** One database for the calling test file, created before its tests and dropped after them. */
export function useDatabase(): { readonly url: string } {
  let database: TestDatabase | undefined
  beforeAll(async () => {
    database = await createDatabase()
  })
  afterAll(async () => {
    await database?.drop()
  })
  return {
    get url() {
      if (!database) throw new Error('The test database is created in beforeAll.')
      return database.url
    },
  }
}

/** Runs SQL on its own short-lived connection and returns the rows. */
export async function sql<Row = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {})
  await client.connect()
  try {
    return (await client.query(text, params)).rows as Row[]
  } finally {
    await client.end()
  }
}

/** Opens a connection the test controls, for holding locks and transactions open. */
/** Whether the server takes SQL-standard function bodies (`BEGIN ATOMIC`, `RETURN`): PostgreSQL 14 and later. */
export async function takesStandardBodies(url: string): Promise<boolean> {
  const [server] = await sql<{ version: number }>(url, "SELECT current_setting('server_version_num')::int AS version")
  return (server?.version ?? 0) >= 140_000
}

export async function openSession(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'mig-test-session' })
  client.on('error', () => {})
  await client.connect()
  return client
}

/** Polls until `condition` holds; throws after `timeoutMs` so that a broken promise fails the test instead of hanging it. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
