import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrationsFolder, query, runMig } from '../repro/mig-cli.js'
import { type PgBouncerServer, startPgBouncer, targetFromUrl } from '../src/index.js'

const MIG = join(dirname(createRequire(import.meta.url).resolve('@mig/cli/package.json')), 'bin', 'mig.js')

/** Sleeps a minute, unless the table `go_fast` exists: the next run then finishes at once. */
const LONG = "SELECT pg_sleep(CASE WHEN to_regclass('go_fast') IS NULL THEN 60 ELSE 0 END);"
const FILES = {
  transaction: { '0001_long.sql': `-- mig:up\nCREATE TABLE long_one (id INTEGER);\n${LONG}\nINSERT INTO long_one VALUES (1);\n` },
  'no-transaction': {
    '0001_long.sql': `-- mig:no-transaction\n-- mig:up\nCREATE TABLE long_one (id INTEGER);\n${LONG}\nCREATE TABLE long_two (id INTEGER);\n`,
  },
}

/** mig's statements still running on the server in `database`. */
async function runningStatements(database: TestDatabase): Promise<number> {
  const rows = await query<{ count: string }>(
    inject('postgresUrl'),
    `SELECT count(*) AS count FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mig' AND state = 'active'`,
    [database.name],
  )
  return Number(rows[0]?.count)
}

async function tables(database: TestDatabase): Promise<string[]> {
  const rows = await query<{ name: string }>(
    database.url,
    "SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'long_%' ORDER BY 1",
  )
  return rows.map((row) => row.name)
}

describe('a runner killed (SIGKILL) in the middle of a statement', () => {
  const folders: Record<string, Awaited<ReturnType<typeof migrationsFolder>>> = {}
  let bouncer: PgBouncerServer
  beforeAll(async () => {
    for (const [kind, files] of Object.entries(FILES)) folders[kind] = await migrationsFolder(files)
    bouncer = await startPgBouncer({ poolMode: 'transaction', target: targetFromUrl(inject('postgresUrl')) })
  })
  afterAll(async () => {
    for (const folder of Object.values(folders)) await folder.remove()
    await bouncer?.stop()
  })

  it.each([
    ['transaction', 'direct'],
    ['no-transaction', 'direct'],
    // Behind the pooler a no-transaction migration's session cannot be given the setting.
    ['transaction', 'PgBouncer in transaction mode'],
  ] as const)('the server ends its statement within seconds, not when the statement would have finished (%s, %s)', async (kind, topology) => {
    const database = await createTestDatabase(inject('postgresUrl'))
    try {
      const server = await query<{ version: number }>(database.url, "SELECT current_setting('server_version_num')::int AS version")
      if (Number(server[0]?.version) < 140_000) throw new Error('client_connection_check_interval needs PostgreSQL 14 or newer.')
      const url = topology === 'direct' ? database.url : bouncer.url(database.name)
      const base = ['--url', url, '--dir', folders[kind]?.path ?? '']
      const child = spawn(process.execPath, [MIG, 'up', ...base], { stdio: 'ignore' })
      const exited = new Promise((resolve) => child.on('close', resolve))
      try {
        for (let tries = 0; (await runningStatements(database)) === 0; tries++) {
          if (tries > 300) throw new Error('mig never started its long statement')
          await sleep(100)
        }
        await sleep(300)
      } finally {
        child.kill('SIGKILL')
        await exited
      }

      // Without the check, the server would run the minute-long statement to its end.
      const killedAt = Date.now()
      while ((await runningStatements(database)) > 0 && Date.now() - killedAt < 10_000) await sleep(100)
      expect(await runningStatements(database)).toBe(0)

      const history = await query<{ state: string }>(database.url, 'SELECT state FROM mig_migrations ORDER BY version')
      if (kind === 'transaction') {
        // Rolled back by the server: no table and no history row, and the next run applies it.
        expect([history, await tables(database)]).toEqual([[], []])
        // The lease a killed runner held lasts lockLeaseMs (30 s); end it here rather than wait.
        if (topology !== 'direct') await query(database.url, 'UPDATE mig_migrations_lock SET expires_at = now()')
        await query(database.url, 'CREATE TABLE go_fast ()')
        const next = await runMig(['up', ...base, '--lock-wait', '5'], 30_000)
        expect(next.exitCode, next.stdout + next.stderr).toBe(0)
        expect(await tables(database)).toEqual(['long_one'])
      } else {
        // Stopped in its second statement: the third never ran, and the next run refuses.
        expect([history.map((row) => row.state), await tables(database)]).toEqual([['failed'], ['long_one']])
        const next = await runMig(['up', ...base, '--lock-wait', '5'], 30_000)
        expect([next.exitCode, next.document?.error?.code]).toEqual([3, 'MIG_PARTIAL_MIGRATION'])
        expect(await tables(database)).toEqual(['long_one'])
      }
    } finally {
      await database.drop()
    }
  })
})

describe('a third signal through PgBouncer in transaction mode, where mig holds a lease', () => {
  let bouncer: PgBouncerServer
  let migrations: Awaited<ReturnType<typeof migrationsFolder>>
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode: 'transaction', target: targetFromUrl(inject('postgresUrl')) })
    // A code migration waiting on a timer: a cancel request cannot stop it, so the third signal finds the lock held.
    migrations = await migrationsFolder({
      '0001_wait.mjs':
        "export async function up(context) {\n  await context.run('CREATE TABLE waited (id INTEGER)')\n  console.log('started')\n  await new Promise((resolve) => setTimeout(resolve, 60_000))\n}\n",
    })
  })
  afterAll(async () => {
    await migrations?.remove()
    await bouncer?.stop()
  })

  it('quits at once and says that the next run waits out the lease, as it does', async () => {
    const database = await createTestDatabase(inject('postgresUrl'))
    try {
      const base = ['--url', bouncer.url(database.name), '--dir', migrations.path]
      const child = spawn(process.execPath, [MIG, 'up', ...base, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
      })
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        if (chunk.includes('started') || chunk.includes('Send it again') || chunk.includes('Send it once more')) child.kill('SIGTERM')
      })
      const exitCode = await new Promise((resolve) => child.on('close', resolve))
      const document = JSON.parse(stdout) as { error: { code: string; message: string } }
      expect([exitCode, document.error.code]).toEqual([143, 'MIG_ABORTED'])
      expect(document.error.message).toContain('the next run waits until the lease runs out (lockLeaseMs, 30 s by default)')

      const lease = await query<{ held: boolean }>(database.url, 'SELECT expires_at > now() AS held FROM mig_migrations_lock')
      expect(lease).toEqual([{ held: true }])
      const next = await runMig(['up', ...base, '--lock-wait', '1'], 30_000)
      expect([next.exitCode, next.document?.error?.code]).toEqual([4, 'MIG_LOCK_TIMEOUT'])
    } finally {
      await database.drop()
    }
  })
})
