import { DatabaseError, fromList, InvalidOptionsError, LockTimeoutError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql, until, useDatabase } from './support/postgres-test-database.js'

describe('a pool the application owns', () => {
  const database = useDatabase()
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: database.url, max: 4 })
  })
  afterAll(() => pool.end())

  const source = fromList([
    { version: 1, name: 'items', up: 'CREATE TABLE items (id INT PRIMARY KEY);', down: 'DROP TABLE items;' },
    {
      version: 2,
      name: 'index_items',
      transaction: false,
      up: 'CREATE INDEX CONCURRENTLY items_id_idx ON items (id);',
      down: 'DROP INDEX items_id_idx;',
    },
  ])

  it('stays usable after up, status and down, with no lock left behind and no client kept', async () => {
    const migrator = new Migrator({ driver: postgresDriver({ pool, lockTimeout: '3s', statementTimeout: '1min' }), source })
    await migrator.up()
    expect((await migrator.status()).map((entry) => entry.state)).toEqual(['applied', 'applied'])
    await migrator.down({ all: true })
    await migrator.up()

    const [state] = (
      await pool.query(
        "SELECT (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS advisory_locks",
      )
    ).rows
    expect(state).toEqual({ advisory_locks: 0 })
    expect((await pool.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 0 }])
    expect(pool.ending).toBe(false)
    expect(pool.totalCount - pool.idleCount).toBe(0)
  })

  it('closes the connection migrations ran on instead of returning it, so their session changes never reach the application', async () => {
    let migrationPid: number | undefined
    const changesSession = fromList([
      {
        version: 1,
        name: 'changes_session',
        transaction: false,
        up: async (context) => {
          migrationPid = (await context.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]?.pid
          await context.run('SET search_path = nowhere')
        },
      },
    ])
    await new Migrator({ driver: postgresDriver({ pool }), source: changesSession, table: 'session_history' }).up()
    expect(migrationPid).toEqual(expect.any(Number))
    // pg-pool ends a dropped client without waiting, so its backend may take a moment to go.
    await until(async () => (await sql(database.url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [migrationPid])).length === 0)
    // The lock's client is dropped too (mig changed its idle timeouts), so the pool may have to open one.
    const idle = await Promise.all(Array.from({ length: Math.max(1, pool.idleCount) }, () => pool.connect()))
    try {
      const paths = await Promise.all(idle.map(async (client) => (await client.query('SHOW search_path')).rows[0]?.search_path))
      expect(paths.length).toBeGreaterThan(0)
      for (const path of paths) expect(path).not.toBe('nowhere')
    } finally {
      for (const client of idle) client.release()
    }
  })

  it('lets two migrators share the pool and still apply each migration once', async () => {
    await pool.query('DROP TABLE IF EXISTS mig_migrations, items')
    const driver = postgresDriver({ pool })
    const results = await Promise.all([new Migrator({ driver, source }).up(), new Migrator({ driver, source }).up()])
    expect(results.flatMap((result) => result.migrations.map((migration) => migration.version)).sort()).toEqual([1, 2])
  })

  it('refuses a pool of one connection, which the lock and the migrations cannot share', () => {
    const tiny = new pg.Pool({ connectionString: database.url, max: 1 })
    expect(() => postgresDriver({ pool: tiny })).toThrow(InvalidOptionsError)
  })

  it('refuses a pg.Client given as the pool, and the pool given as the driver, before taking a connection', async () => {
    const client = new pg.Client({ connectionString: database.url })
    expect(() => postgresDriver({ pool: client as never })).toThrow(/^pool is a pg.Client, but mig needs a pg.Pool/)
    expect(() => new Migrator({ driver: pool as never, source })).toThrow(
      /^driver must be a mig driver, such as postgresDriver\(\{ pool \}\) or sqliteDriver\(\{ database \}\), not a \w*Pool\.$/,
    )
    // The client is still the application's to connect: mig never connected it.
    await client.connect()
    await expect(client.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] })
    await client.end()
  })

  describe('when the application holds the clients mig needs', () => {
    const holdClients = async (count: number) => {
      const held = await Promise.all(Array.from({ length: count }, () => pool.connect()))
      return () => {
        for (const client of held) client.release()
      }
    }
    const nothingCheckedOut = () => until(() => pool.totalCount - pool.idleCount === 0 && pool.waitingCount === 0)

    it('fails within the lock timeout when the pool has no free client for the lock, and leaves none checked out', async () => {
      const release = await holdClients(3)
      // Reverting needs the lock; the migrations are applied by the tests before.
      const failure = await new Migrator({ driver: postgresDriver({ pool }), source, lockTimeoutMs: 300 })
        .down()
        .catch((error: unknown) => error)
        .finally(release)
      expect(failure).toBeInstanceOf(DatabaseError)
      expect((failure as Error).message).toContain('The pool had no free client for 300 ms; mig needs two')
      await nothingCheckedOut()
      expect((await new Migrator({ driver: postgresDriver({ pool }), source }).status()).length).toBe(2)
    })

    it('fails after connectTimeoutMs when the pool has no free client for migrations', async () => {
      const release = await holdClients(4)
      const failure = await new Migrator({ driver: postgresDriver({ pool, connectTimeoutMs: 300 }), source })
        .status()
        .catch((error: unknown) => error)
        .finally(release)
      expect(failure).toBeInstanceOf(DatabaseError)
      expect((failure as Error).message).toContain('The pool had no free client for 300 ms')
      await nothingCheckedOut()
    })

    it('stops waiting for a client when the run is cancelled, and leaves none checked out', async () => {
      const release = await holdClients(3)
      const controller = new AbortController()
      const running = new Migrator({ driver: postgresDriver({ pool }), source, lockTimeoutMs: 30_000 }).down({ signal: controller.signal })
      await until(() => pool.waitingCount === 1)
      controller.abort(new Error('cancelled by the test'))
      const failure = await running.catch((error: unknown) => error).finally(release)
      expect(failure).not.toBeInstanceOf(LockTimeoutError)
      expect((failure as Error).cause).toEqual(new Error('cancelled by the test'))
      await nothingCheckedOut()
    })
  })
})
