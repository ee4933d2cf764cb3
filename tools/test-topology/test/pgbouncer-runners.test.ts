import { createTestDatabase } from '@mig-internal/test-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { advisoryLocksHeld, migrationsFolder, query, runMig } from '../repro/mig-cli.js'
import { type PgBouncerServer, startPgBouncer, targetFromUrl } from '../src/index.js'

const RUNNERS = 8
const ROUNDS = Number(process.env.MIG_TOPOLOGY_ROUNDS ?? 10)

/** Each migration logs its version, so a double apply shows as a second row; one runs outside a transaction. */
const FILES: Record<string, string> = {
  '0001_applied_log.sql': '-- mig:up\nCREATE TABLE applied_log (version INTEGER NOT NULL);\n',
  '0002_step_2.sql': '-- mig:up\nCREATE TABLE step_2 (id INTEGER);\nINSERT INTO applied_log VALUES (2);\nSELECT pg_sleep(0.05);\n',
  '0003_outside_transaction.sql':
    '-- mig:no-transaction\n-- mig:up\nCREATE INDEX CONCURRENTLY applied_log_version ON applied_log (version);\nINSERT INTO applied_log VALUES (3);\n',
  '0004_step_4.sql': '-- mig:up\nCREATE TABLE step_4 (id INTEGER);\nINSERT INTO applied_log VALUES (4);\nSELECT pg_sleep(0.05);\n',
}
const VERSIONS = [1, 2, 3, 4]
const POOL_SIZE = 20

/** lock_timeout/statement_timeout of every server connection of the pool, each held in a transaction so that all are seen. */
async function timeoutsOnServerConnections(url: string): Promise<string[]> {
  const clients = Array.from({ length: POOL_SIZE }, () => new pg.Client({ connectionString: url }))
  try {
    await Promise.all(clients.map((client) => client.connect()))
    await Promise.all(clients.map((client) => client.query('BEGIN')))
    const settings = await Promise.all(
      clients.map((client) => client.query("SELECT current_setting('lock_timeout') || '/' || current_setting('statement_timeout') AS s")),
    )
    return settings.map((result) => String(result.rows[0]?.s))
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})))
  }
}

describe.each(['transaction', 'session'] as const)('%s pooling: many runners at once through PgBouncer', (poolMode) => {
  let bouncer: PgBouncerServer
  let migrations: Awaited<ReturnType<typeof migrationsFolder>>
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode, poolSize: POOL_SIZE, target: targetFromUrl(inject('postgresUrl')) })
    migrations = await migrationsFolder(FILES)
  })
  afterAll(async () => {
    await migrations?.remove()
    await bouncer?.stop()
  })

  it(`${RUNNERS} runners × ${ROUNDS} rounds: every migration applied exactly once, no false failure, no lock outlives its runners`, async () => {
    const failures: string[] = []
    const started = Date.now()
    let runners = 0
    for (let round = 1; round <= ROUNDS; round++) {
      const database = await createTestDatabase(inject('postgresUrl'))
      try {
        const url = bouncer.url(database.name)
        const runs = await Promise.all(
          Array.from({ length: RUNNERS }, () => runMig(['up', '--url', url, '--dir', migrations.path, '--lock-wait', '60'], 120_000)),
        )
        runners += runs.length
        for (const run of runs) {
          if (run.exitCode !== 0 || run.document?.ok !== true)
            failures.push(`round ${round}: exit ${run.exitCode} ${run.stdout || run.stderr}`)
        }
        const applied = runs.flatMap((run) => run.document?.migrations?.map((migration) => migration.version) ?? []).sort()
        expect(applied, `round ${round}`).toEqual(VERSIONS)
        const logged = await query<{ version: number }>(database.url, 'SELECT version FROM applied_log ORDER BY version')
        expect(logged.map((row) => row.version)).toEqual([2, 3, 4])
        const history = await query<{ version: string; state: string }>(
          database.url,
          'SELECT version, state FROM mig_migrations ORDER BY version',
        )
        expect(history.map((row) => `${row.version}:${row.state}`)).toEqual(VERSIONS.map((version) => `${version}:applied`))
        // No advisory lock left on any server connection, pooled or not, and no live lease.
        expect(await advisoryLocksHeld(inject('postgresUrl'), database.name)).toBe(0)
        const leases = await query<{ live: boolean }>(
          database.url,
          "SELECT expires_at > clock_timestamp() AS live FROM mig_migrations_lock WHERE to_regclass('mig_migrations_lock') IS NOT NULL",
        ).catch(() => [])
        expect(leases.filter((lease) => lease.live)).toEqual([])
        // mig sets its timeouts around each read; none may stay on a server connection the application gets next.
        expect(await timeoutsOnServerConnections(url)).toEqual(Array.from({ length: POOL_SIZE }, () => '0/0'))
      } finally {
        await database.drop()
      }
    }
    expect(failures).toEqual([])
    console.log(
      `[topology] PgBouncer ${poolMode} mode: ${runners} runners in ${ROUNDS} rounds, all exit 0, every migration once, no lock left (${Math.round((Date.now() - started) / 1000)} s)`,
    )
  }, 300_000)
})
