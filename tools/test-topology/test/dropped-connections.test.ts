import { fromList, LockLostError, LockTimeoutError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrationsFolder, query, runMig } from '../repro/mig-cli.js'
import {
  createIdleTimeoutDatabase,
  type PgBouncerServer,
  startPgBouncer,
  startTcpProxy,
  type TcpProxy,
  targetFromUrl,
} from '../src/index.js'

const FIVE_SECONDS = {
  '0001_slow.sql': '-- mig:up\nCREATE TABLE slow (id INTEGER);\nSELECT pg_sleep(5);\n',
  '0002_outside.sql': '-- mig:no-transaction\n-- mig:up\nCREATE INDEX CONCURRENTLY slow_id ON slow (id);\nSELECT pg_sleep(1.5);\n',
  '0003_after.sql': '-- mig:up\nCREATE TABLE after_slow (id INTEGER);\n',
}

describe('a server that closes idle sessions after 1 s', () => {
  let bouncers: PgBouncerServer[] = []
  let migrations: Awaited<ReturnType<typeof migrationsFolder>>
  beforeAll(async () => {
    migrations = await migrationsFolder(FIVE_SECONDS)
    const target = targetFromUrl(inject('postgresUrl'))
    bouncers = await Promise.all((['session', 'transaction'] as const).map((poolMode) => startPgBouncer({ poolMode, target })))
  })
  afterAll(async () => {
    await migrations?.remove()
    for (const bouncer of bouncers) await bouncer.stop()
  })

  it.each([
    'direct',
    'session',
    'transaction',
  ] as const)('applies migrations of 5 s while the lock connection idles (%s)', async (topology) => {
    const database = await createIdleTimeoutDatabase(inject('postgresUrl'), {
      idleSessionTimeoutMs: 1_000,
      idleInTransactionSessionTimeoutMs: 1_000,
    })
    try {
      const bouncer = bouncers.find((candidate) => candidate.poolMode === topology)
      const url = bouncer ? bouncer.url(database.name) : database.url
      const run = await runMig(['up', '--url', url, '--dir', migrations.path], 60_000)
      expect([run.exitCode, run.document?.migrations?.map((migration) => migration.version)], run.stdout || run.stderr).toEqual([
        0,
        [1, 2, 3],
      ])
      const history = await query<{ state: string }>(database.url, 'SELECT state FROM mig_migrations ORDER BY version')
      expect(history.map((row) => row.state)).toEqual(['applied', 'applied', 'applied'])
    } finally {
      await database.drop()
    }
  })
})

describe('a lock connection whose packets are dropped', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    const server = new URL(inject('postgresUrl'))
    proxy = await startTcpProxy({ target: { host: server.hostname, port: Number(server.port || 5432) } })
  })
  afterAll(async () => {
    await proxy?.stop()
  })

  /** mig's other session, once the migration session is busy in its 4 s statement. */
  async function lockConnectionPort(database: TestDatabase): Promise<number> {
    const deadline = Date.now() + 30_000
    for (;;) {
      const rows = await query<{ port: number }>(
        database.url,
        `SELECT client_port AS port FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mig' AND pid <> pg_backend_pid()
            AND EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mig' AND query LIKE '%pg_sleep(4)%' AND state = 'active')
            AND query NOT LIKE '%pg_sleep(4)%'`,
        [database.name],
      )
      if (rows[0]) return rows[0].port
      if (Date.now() > deadline) throw new Error('the run never started its migration')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it.each([
    'advisory',
    'lease',
  ] as const)('the run stops with a lock-lost error in bounded time, commits nothing more, and the next run proceeds (%s lock)', async (lock) => {
    const database = await createTestDatabase(inject('postgresUrl'))
    try {
      const source = fromList([
        { version: 1, name: 'slow', up: 'CREATE TABLE slow (id INTEGER); SELECT pg_sleep(4)' },
        { version: 2, name: 'after', up: 'CREATE TABLE after_slow (id INTEGER)' },
      ])
      const started = Date.now()
      const first = new Migrator({
        driver: postgresDriver({ connectionString: proxy.url(database.url), lock, lockLeaseMs: 3_000 }),
        source,
      })
        .up()
        .catch((error: unknown) => error)
      const port = await lockConnectionPort(database)
      proxy.blackhole((connection) => connection.serverSidePort === port)
      const failure = await first
      const elapsedMs = Date.now() - started
      expect(failure).toBeInstanceOf(LockLostError)
      expect((failure as Error).message).toContain('lost the migration lock')
      expect(elapsedMs).toBeLessThan(30_000)
      expect(await query(database.url, "SELECT to_regclass('slow') AS slow")).toEqual([{ slow: null }])

      const [server] = await query<{ version: number }>(database.url, "SELECT current_setting('server_version_num')::int AS version")
      if (lock === 'advisory' && (server?.version ?? 0) < 140_000) {
        // PostgreSQL 13 has no idle_session_timeout: the cut-off session keeps the lock, and the next run says how to end it.
        const waiting = new Migrator({
          driver: postgresDriver({ connectionString: database.url, lock, lockLeaseMs: 3_000 }),
          source,
          lockWaitMs: 5_000,
        })
        const timedOut = await waiting.up().catch((error: unknown) => error)
        expect(timedOut).toBeInstanceOf(LockTimeoutError)
        const clearBy = (timedOut as LockTimeoutError).holder?.clearBy ?? ''
        expect(clearBy).toMatch(/^SELECT pg_terminate_backend\(\d+\);/)
        await query(database.url, clearBy)
      }
      const next = await new Migrator({ driver: postgresDriver({ connectionString: database.url, lock }), source, lockWaitMs: 30_000 }).up()
      expect(next.migrations.map((migration) => migration.version)).toEqual([1, 2])
    } finally {
      proxy.closeAll()
      await database.drop()
    }
  })
})
