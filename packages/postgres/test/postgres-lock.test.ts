import { AbortedError, fromList, type LockHolder, LockTimeoutError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { beforeEach, describe, expect, it } from 'vitest'
import { advisoryLockKey } from '../src/postgres-lock.js'
import { openSession, sql, useDatabase } from './support/postgres-test-database.js'

/** A migration that waits until the test lets it go, to hold the lock for as long as a test needs. */
function holdingMigration() {
  let release = () => {}
  let started = () => {}
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  const running = new Promise<void>((resolve) => {
    started = resolve
  })
  const source = fromList([
    {
      version: 1,
      name: 'holds',
      up: async () => {
        started()
        await held
      },
    },
  ])
  return { source, running, release }
}

describe('the PostgreSQL migration lock', () => {
  const database = useDatabase()
  const driver = () => postgresDriver({ connectionString: database.url })
  beforeEach(() => sql(database.url, 'DROP TABLE IF EXISTS mig_migrations'))

  it('derives a stable key from the history table schema and name', () => {
    expect(advisoryLockKey('public', 'mig_migrations')).toBe('-6584247368145788623')
    expect(advisoryLockKey('other', 'mig_migrations')).not.toBe(advisoryLockKey('public', 'mig_migrations'))
  })

  it('a waiting runner reports who holds the lock: pid, application, address and since when', async () => {
    const holding = holdingMigration()
    const holder = new Migrator({ driver: driver(), source: holding.source }).up()
    await holding.running
    const waits: (LockHolder | undefined)[] = []
    const waiting = new Migrator({ driver: driver(), source: holding.source, lockTimeoutMs: 300 })
    waiting.on('lock-waiting', (event) => waits.push(event.holder))
    const failure = await waiting.up().catch((error: unknown) => error)
    holding.release()
    await holder

    expect(failure).toBeInstanceOf(LockTimeoutError)
    expect(waits).toHaveLength(1)
    // The test connects to the server the way mig does, so the server sees it at the same address.
    const address = (await sql<{ address: string }>(database.url, 'SELECT host(inet_client_addr()) AS address'))[0]?.address
    expect(address).toEqual(expect.any(String))
    expect(waits[0]).toMatchObject({ pid: expect.any(Number), applicationName: 'mig', clientAddress: address, since: expect.any(Date) })
    expect((failure as Error).message).toContain(`held by pid ${waits[0]?.pid} application "mig" from ${address} since`)
  })

  it('a runner waiting for a lease lock is told when the lease ends, for a holder that may be gone', async () => {
    const leaseDriver = () => postgresDriver({ connectionString: database.url, lock: 'lease', lockLeaseMs: 6_000 })
    const holding = holdingMigration()
    const holder = new Migrator({ driver: leaseDriver(), source: holding.source }).up()
    await holding.running
    const waits: (LockHolder | undefined)[] = []
    const waiting = new Migrator({ driver: leaseDriver(), source: holding.source, lockTimeoutMs: 300 })
    waiting.on('lock-waiting', (event) => waits.push(event.holder))
    const failure = await waiting.up().catch((error: unknown) => error)
    holding.release()
    await holder

    expect(failure).toBeInstanceOf(LockTimeoutError)
    const expiresAt = waits[0]?.expiresAt
    expect(expiresAt).toBeInstanceOf(Date)
    // Renewed every third of the lease, so it ends between 4 and 6 seconds after it was last renewed.
    expect((expiresAt?.getTime() ?? 0) - Date.now()).toBeGreaterThan(3_000)
    expect((failure as Error).message).toContain(`a lease that ends at ${expiresAt?.toISOString()} unless its holder renews it`)
    expect((failure as Error).message).toContain('If that run is gone (killed without releasing), the lease frees the lock when it ends.')
  })

  it('a holder silent for longer than the lease (cut off, on a server that cannot end idle sessions) comes with how to end its session', async () => {
    // What a runner cut off from PostgreSQL 13 leaves: a session that holds mig's lock and never speaks again.
    const orphan = await openSession(database.url)
    try {
      await orphan.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockKey('public', 'mig_migrations')])
      const pid = (await orphan.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number
      await new Promise((resolve) => setTimeout(resolve, 1_200))
      const waiting = new Migrator({
        driver: postgresDriver({ connectionString: database.url, lockLeaseMs: 1_000 }),
        source: fromList([{ version: 1, name: 'first', up: 'CREATE TABLE first (id integer)' }]),
        lockTimeoutMs: 300,
      })
      const failure = await waiting.up().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(LockTimeoutError)
      expect((failure as LockTimeoutError).holder?.clearBy).toBe(
        `SELECT pg_terminate_backend(${pid}); -- ends the server session that holds mig's advisory lock and has not renewed it for over 1s (cut off from the server, or a runner given a longer lockLeaseMs)`,
      )
      expect((failure as Error).message).toContain(
        'Its holder cannot give it back by itself; if that run is over, clear the lock by hand: SELECT pg_terminate_backend(',
      )
      await sql(database.url, 'SELECT pg_terminate_backend($1)', [pid])
      expect((await waiting.up()).migrations.map((migration) => migration.version)).toEqual([1])
    } finally {
      await orphan.end().catch(() => {})
    }
  })

  it("a waiting runner whose lock connection the server ends says why, in the server's words", async () => {
    const holding = holdingMigration()
    const holder = new Migrator({ driver: driver(), source: holding.source }).up()
    await holding.running
    const waiting = new Migrator({ driver: driver(), source: holding.source, lockTimeoutMs: 5_000 })
    // The waiting runner's lock connection is mig's newest: it opens its session first.
    waiting.on('lock-waiting', () => {
      void sql(
        database.url,
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mig' AND datname = current_database()
          ORDER BY backend_start DESC LIMIT 1`,
      )
    })
    const failure = await waiting.up().catch((error: unknown) => error)
    holding.release()
    await holder
    expect((failure as Error).message).toBe('terminating connection due to administrator command (SQLSTATE 57P01)')
  })

  it('holds the lock on a connection that is idle: no transaction and no snapshot', async () => {
    const holding = holdingMigration()
    const holder = new Migrator({ driver: driver(), source: holding.source }).up()
    await holding.running
    const sessions = await sql<{ state: string; xmin: string | null; locks: number }>(
      database.url,
      `SELECT a.state, a.backend_xmin::text AS xmin, count(l.*)::int AS locks
         FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory'
        WHERE a.application_name = 'mig' AND a.datname = current_database()
        GROUP BY a.pid, a.state, a.backend_xmin ORDER BY locks DESC`,
    )
    holding.release()
    await holder
    expect(sessions).toHaveLength(2)
    expect(sessions[0]).toEqual({ state: 'idle', xmin: null, locks: 1 })
    expect(sessions[1]?.locks).toBe(0)
  })

  it('stops waiting when the run is cancelled, and leaves no connection behind', async () => {
    const holding = holdingMigration()
    const holder = new Migrator({ driver: driver(), source: holding.source }).up()
    await holding.running
    const controller = new AbortController()
    const waiting = new Migrator({ driver: driver(), source: holding.source, lockTimeoutMs: 30_000 })
    waiting.on('lock-waiting', () => controller.abort(new Error('cancelled by the test')))
    const error = await waiting.up({ signal: controller.signal }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AbortedError)
    expect((error as Error).cause).toEqual(new Error('cancelled by the test'))
    holding.release()
    await holder
    const left = await sql(database.url, "SELECT pid FROM pg_stat_activity WHERE application_name = 'mig' AND datname = current_database()")
    expect(left).toEqual([])
  })

  it('rolls back the migration whose lock connection was lost, and runs nothing after it', async () => {
    const source = fromList([
      {
        version: 1,
        name: 'loses_the_lock',
        up: async (context) => {
          await context.run('CREATE TABLE made_without_the_lock (id INT)')
          await context.query(
            `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
              WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
          // Gives the lock's client time to hear that its connection was ended.
          await context.query('SELECT pg_sleep(0.2)')
        },
      },
      { version: 2, name: 'never_runs', up: 'CREATE TABLE never_runs (id INT)' },
    ])
    const failure = await new Migrator({ driver: driver(), source }).up().catch((error: unknown) => error)
    expect((failure as Error).message).toContain('This run lost the migration lock')
    expect((failure as Error).message).toContain('rolled back, not committed')
    expect(
      await sql(
        database.url,
        "SELECT to_regclass('made_without_the_lock') AS made, to_regclass('never_runs') AS never, count(*)::int AS recorded FROM mig_migrations",
      ),
    ).toEqual([{ made: null, never: null, recorded: 0 }])
  })
})
