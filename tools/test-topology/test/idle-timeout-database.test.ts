import type { TestDatabase } from '@mig-internal/test-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createIdleTimeoutDatabase, type PgBouncerServer, startPgBouncer, targetFromUrl } from '../src/index.js'

const IDLE_MS = 1_000
const LONGER_THAN_IDLE_MS = 1_600
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface WatchedClient {
  readonly client: pg.Client
  /** Every error the connection emitted, with its SQLSTATE where the server sent one. */
  readonly errors: (Error & { code?: string })[]
}

async function connect(url: string, options: pg.ClientConfig = {}): Promise<WatchedClient> {
  const client = new pg.Client({ connectionString: url, ...options })
  const errors: Error[] = []
  client.on('error', (error) => errors.push(error))
  await client.connect()
  return { client, errors }
}

async function using<T>(watched: Promise<WatchedClient>, use: (watched: WatchedClient) => Promise<T>): Promise<T> {
  const opened = await watched
  try {
    return await use(opened)
  } finally {
    await opened.client.end().catch(() => {})
  }
}

let database: TestDatabase
beforeAll(async () => {
  database = await createIdleTimeoutDatabase(inject('postgresUrl'), {
    idleSessionTimeoutMs: IDLE_MS,
    idleInTransactionSessionTimeoutMs: IDLE_MS,
  })
})
afterAll(async () => {
  await database?.drop()
})

describe('a database whose sessions time out when idle', () => {
  it('applies the timeouts to its own sessions only, not to the server', async () => {
    const settings = (url: string) =>
      using(connect(url), async ({ client }) => (await client.query('SHOW idle_session_timeout')).rows[0]?.idle_session_timeout)
    expect(await settings(database.url)).toBe('1s')
    expect(await settings(inject('postgresUrl'))).not.toBe('1s')
  })

  it('closes an idle session with SQLSTATE 57P05, which pg reports as an error event on the idle client', async () => {
    await using(connect(database.url), async ({ client, errors }) => {
      await sleep(LONGER_THAN_IDLE_MS)
      expect(errors[0]).toMatchObject({ code: '57P05', message: 'terminating connection due to idle-session timeout' })
      await expect(client.query('SELECT 1')).rejects.toThrow(/not queryable/)
    })
  })

  it('closes a session idle inside a transaction with SQLSTATE 25P03', async () => {
    await using(connect(database.url), async ({ client, errors }) => {
      await client.query('BEGIN')
      await sleep(LONGER_THAN_IDLE_MS)
      expect(errors[0]).toMatchObject({ code: '25P03' })
    })
  })

  it('keeps a session that turned both timeouts off for itself, by SET or by the options startup parameter', async () => {
    await using(connect(database.url), async ({ client, errors }) => {
      await client.query('SET idle_session_timeout = 0')
      await client.query('SET idle_in_transaction_session_timeout = 0')
      await sleep(LONGER_THAN_IDLE_MS)
      expect((await client.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }])
      expect(errors).toEqual([])
    })
    await using(connect(database.url, { options: '-c idle_session_timeout=0' }), async ({ client, errors }) => {
      await sleep(LONGER_THAN_IDLE_MS)
      expect((await client.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }])
      expect(errors).toEqual([])
    })
  })
})

describe('the same database behind PgBouncer', () => {
  let session: PgBouncerServer
  let transaction: PgBouncerServer
  beforeAll(async () => {
    session = await startPgBouncer({ poolMode: 'session', target: targetFromUrl(inject('postgresUrl')) })
    transaction = await startPgBouncer({ poolMode: 'transaction', target: targetFromUrl(inject('postgresUrl')) })
  })
  afterAll(async () => {
    await session?.stop()
    await transaction?.stop()
  })

  it("session mode: the server closing an idle session reaches the client as 57P05, then PgBouncer's own 08P01", async () => {
    await using(connect(session.url(database.name)), async ({ client, errors }) => {
      await client.query('SELECT 1')
      await sleep(LONGER_THAN_IDLE_MS)
      expect(errors.slice(0, 2)).toMatchObject([{ code: '57P05' }, { code: '08P01', message: 'server conn crashed?' }])
      await expect(client.query('SELECT 1')).rejects.toThrow()
    })
  })

  it('session mode: SET idle_session_timeout = 0 keeps the session, since it stays on one backend', async () => {
    await using(connect(session.url(database.name)), async ({ client, errors }) => {
      await client.query('SET idle_session_timeout = 0')
      await sleep(LONGER_THAN_IDLE_MS)
      expect((await client.query('SHOW idle_session_timeout')).rows).toEqual([{ idle_session_timeout: '0' }])
      expect(errors).toEqual([])
    })
  })

  it('transaction mode: an idle client is not closed (only idle pooled backends are), but session state on them is lost', async () => {
    await using(connect(transaction.url(database.name)), async ({ client, errors }) => {
      const before = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
      await client.query('SELECT pg_advisory_lock(4244)')
      await sleep(LONGER_THAN_IDLE_MS)
      const after = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
      expect(errors).toEqual([])
      expect(after).not.toBe(before)
      // The backend that held the advisory lock was closed by the server: the lock is gone, silently.
      expect((await client.query('SELECT pg_advisory_unlock(4244) AS unlocked')).rows).toEqual([{ unlocked: false }])
    })
  })
})
