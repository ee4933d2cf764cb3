import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type PgBouncerServer, type PoolMode, startPgBouncer, targetFromUrl } from '../src/index.js'

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {})
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end().catch(() => {})
  }
}

const backendPid = async (client: pg.Client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid

/**
 * Client `a` runs autocommit statements while client `b` keeps a second server connection busy
 * in a transaction for the middle two: in transaction pooling, `a` has to move to another backend.
 */
async function pidsOfOneClient(bouncer: PgBouncerServer): Promise<number[]> {
  return withClient(bouncer.url(), (a) =>
    withClient(bouncer.url(), async (b) => {
      const pids = [await backendPid(a)]
      await b.query('BEGIN')
      await b.query('SELECT pg_backend_pid()')
      pids.push(await backendPid(a))
      await b.query('COMMIT')
      pids.push(await backendPid(a))
      return pids.filter((pid): pid is number => pid !== undefined)
    }),
  )
}

describe.each(['session', 'transaction', 'statement'] as const)('PgBouncer in %s mode', (poolMode: PoolMode) => {
  let bouncer: PgBouncerServer
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode, target: targetFromUrl(inject('postgresUrl')) })
  })
  afterAll(async () => {
    await bouncer?.stop()
  })

  it('forwards queries to the test server and says its pool mode on the admin console', async () => {
    expect(await withClient(bouncer.url(), async (client) => (await client.query('SELECT 1 + 1 AS two')).rows)).toEqual([{ two: 2 }])
    const pools = await withClient(bouncer.adminUrl, async (client) => (await client.query('SHOW POOLS')).rows)
    expect(pools.find((pool) => pool.database === 'postgres')).toMatchObject({ pool_mode: poolMode })
  })

  it('passes application_name through to the server', async () => {
    const client = new pg.Client({ connectionString: bouncer.url(), application_name: 'mig-probe' })
    await client.connect()
    try {
      const { rows } = await client.query("SELECT current_setting('application_name') AS name")
      expect(rows).toEqual([{ name: 'mig-probe' }])
    } finally {
      await client.end()
    }
  })
})

describe('what each pool mode does to a session', () => {
  it('session mode: one client keeps its backend, and its session advisory lock is released by its own unlock', async () => {
    const bouncer = await startPgBouncer({ poolMode: 'session', target: targetFromUrl(inject('postgresUrl')) })
    try {
      expect(new Set(await pidsOfOneClient(bouncer)).size).toBe(1)
      const unlocked = await withClient(bouncer.url(), async (client) => {
        await client.query('SELECT pg_advisory_lock(4242)')
        return (await client.query('SELECT pg_advisory_unlock(4242) AS unlocked')).rows[0]?.unlocked
      })
      expect(unlocked).toBe(true)
    } finally {
      await bouncer.stop()
    }
  })

  it('transaction mode: one client moves between backends, its unlock lands elsewhere and the lock outlives the client', async () => {
    const server = inject('postgresUrl')
    const bouncer = await startPgBouncer({ poolMode: 'transaction', target: targetFromUrl(server) })
    try {
      expect(new Set(await pidsOfOneClient(bouncer)).size).toBe(2)
      const { unlocked, lockedBy } = await withClient(bouncer.url(), (a) =>
        withClient(bouncer.url(), async (b) => {
          const lockedBy = await backendPid(a)
          await a.query('SELECT pg_advisory_lock(4243)')
          // While b holds that backend in a transaction, a's next statement goes to another one.
          await b.query('BEGIN')
          expect(await backendPid(b)).toBe(lockedBy)
          const unlocked = (await a.query('SELECT pg_advisory_unlock(4243) AS unlocked')).rows[0]?.unlocked
          await b.query('COMMIT')
          return { unlocked, lockedBy }
        }),
      )
      expect(unlocked).toBe(false)
      // Both clients are gone; the pooled backend still holds the lock (no reset query in this mode).
      const holders = await withClient(
        server,
        async (client) => (await client.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 4243 AND granted")).rows,
      )
      expect(holders).toEqual([{ pid: lockedBy }])
    } finally {
      await bouncer.stop()
    }
  })

  it('statement mode: a transaction is refused and the client is disconnected', async () => {
    const bouncer = await startPgBouncer({ poolMode: 'statement', target: targetFromUrl(inject('postgresUrl')) })
    try {
      const error = await withClient(bouncer.url(), (client) => client.query('BEGIN').catch((caught: unknown) => caught))
      expect(String(error)).toMatch(/transaction blocks not allowed in statement pooling mode/)
    } finally {
      await bouncer.stop()
    }
  })

  it('refuses the options startup parameter unless told to ignore it (what `-c setting=value` in a URL does)', async () => {
    const bouncer = await startPgBouncer({ poolMode: 'transaction', target: targetFromUrl(inject('postgresUrl')) })
    try {
      const client = new pg.Client({ connectionString: bouncer.url(), options: '-c idle_session_timeout=0' })
      client.on('error', () => {})
      const error = await client.connect().then(
        () => undefined,
        (caught: unknown) => caught,
      )
      await client.end().catch(() => {})
      expect(String(error)).toMatch(/unsupported startup parameter: options/)
    } finally {
      await bouncer.stop()
    }
  })
})

describe('targetFromUrl', () => {
  it('takes host, port, user, password and database from a URL, decoded', () => {
    expect(targetFromUrl('postgres://app%40team:p%40ss@127.0.0.1:6543/my%20db')).toEqual({
      host: '127.0.0.1',
      port: 6543,
      user: 'app@team',
      password: 'p@ss',
      database: 'my db',
    })
  })
})
