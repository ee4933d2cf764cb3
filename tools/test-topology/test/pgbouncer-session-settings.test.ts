import { createTestDatabase } from '@mig-internal/test-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrationsFolder, query, runMig } from '../repro/mig-cli.js'
import { type PgBouncerServer, startPgBouncer, targetFromUrl } from '../src/index.js'

const FILES: Record<string, string> = {
  '0001_table.sql': '-- mig:up\nCREATE TABLE items (id INTEGER);\n',
  '0002_index.sql': '-- mig:no-transaction\n-- mig:up\nCREATE INDEX CONCURRENTLY items_id ON items (id);\n',
}

const READ_SETTINGS = `SELECT current_setting('lock_timeout') AS lock_timeout, current_setting('statement_timeout') AS statement_timeout,
  COALESCE(current_setting('idle_session_timeout', true), '0') AS idle_session_timeout, current_setting('idle_in_transaction_session_timeout') AS idle_in_transaction_session_timeout`
const UNTOUCHED = 'lock_timeout=0 statement_timeout=0 idle_session_timeout=0 idle_in_transaction_session_timeout=0'

describe('PgBouncer in transaction mode: pooled server connections', () => {
  let bouncer: PgBouncerServer
  let migrations: Awaited<ReturnType<typeof migrationsFolder>>
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode: 'transaction', target: targetFromUrl(inject('postgresUrl')) })
    migrations = await migrationsFolder(FILES)
  })
  afterAll(async () => {
    await migrations?.remove()
    await bouncer?.stop()
  })

  /** The application: clients that keep asking the pooled server connections for their settings until `stop()`. */
  async function startApplication(url: string) {
    const clients = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const client = new pg.Client({ connectionString: url })
        client.on('error', () => {})
        await client.connect()
        return client
      }),
    )
    const seen = new Set<string>()
    let stopped = false
    const poll = async (client: pg.Client) => {
      do {
        const [settings] = (await client.query(READ_SETTINGS)).rows
        seen.add(
          Object.entries(settings)
            .map(([name, value]) => `${name}=${value}`)
            .join(' '),
        )
      } while (!stopped)
    }
    const polling = Promise.all(clients.map(poll))
    return {
      /** Every combination of settings the application saw, including once more on each connection after the stop. */
      async stop() {
        stopped = true
        await polling
        await Promise.all(clients.map(poll))
        await Promise.all(clients.map((client) => client.end().catch(() => {})))
        return [...seen]
      },
    }
  }

  it('are recognised as pooled while the application keeps them busy: up sets nothing on them, and the advisory lock is refused', async () => {
    const database = await createTestDatabase(inject('postgresUrl'))
    const url = bouncer.url(database.name)
    try {
      const application = await startApplication(url)
      const advisory: (string | undefined)[] = []
      for (let attempt = 0; attempt < 3; attempt++) {
        advisory.push((await runMig(['up', '--url', url, '--dir', migrations.path, '--lock', 'advisory'], 60_000)).document?.error?.code)
      }
      const up = await runMig(['up', '--url', url, '--dir', migrations.path], 60_000)
      expect(await application.stop()).toEqual([UNTOUCHED])
      expect(advisory).toEqual(['MIG_UNSUPPORTED', 'MIG_UNSUPPORTED', 'MIG_UNSUPPORTED'])
      expect([up.exitCode, up.document?.migrations?.map((migration) => migration.version)]).toEqual([0, [1, 2]])
    } finally {
      await database.drop()
    }
  }, 120_000)

  it('leave a no-transaction migration without lock_timeout, so up warns with the fix, unless the database sets one', async () => {
    const bare = await createTestDatabase(inject('postgresUrl'))
    const configured = await createTestDatabase(inject('postgresUrl'))
    try {
      const warned = await runMig(['up', '--url', bouncer.url(bare.name), '--dir', migrations.path], 60_000)
      expect(warned.exitCode).toBe(0)
      expect(warned.stderr).toContain('0002_index.sql: lock_timeout 5s cannot apply: behind a transaction pooler')
      expect(warned.stderr).toContain("ALTER ROLE CURRENT_USER SET lock_timeout = '5s'")
      expect(warned.stderr).not.toContain('0001_table.sql: lock_timeout')

      await query(configured.url, `ALTER DATABASE ${configured.name} SET lock_timeout = '3s'`)
      const quiet = await runMig(['up', '--url', bouncer.url(configured.name), '--dir', migrations.path], 60_000)
      expect(quiet.exitCode).toBe(0)
      expect(quiet.stderr).not.toContain('lock_timeout')
    } finally {
      await bare.drop()
      await configured.drop()
    }
  }, 120_000)

  it("refuse a URL's options parameter, and the error says where to put those settings instead", async () => {
    const database = await createTestDatabase(inject('postgresUrl'))
    try {
      const url = `${bouncer.url(database.name)}?options=${encodeURIComponent('-c statement_timeout=1500')}`
      const run = await runMig(['up', '--url', url, '--dir', migrations.path], 60_000)
      expect(run.exitCode).toBe(6)
      expect(run.document?.error?.message).toContain('unsupported startup parameter: options')
      expect(run.document?.error?.message).toContain('set those settings on the role instead (ALTER ROLE')
    } finally {
      await database.drop()
    }
  })
})
