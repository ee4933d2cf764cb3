// Reproduction (issue 11, case 2a): a server that closes sessions idle for 1 s, and migrations
// that take 5 s, with the current mig: directly, and through PgBouncer in session and in
// transaction mode. Not a test: it prints what happened.
//   pnpm build && pnpm --filter @mig-internal/test-topology exec tsx repro/idle-session-timeout.ts [attempts]
import { startTestPostgres } from '@mig-internal/test-postgres'
import { createIdleTimeoutDatabase, startPgBouncer, targetFromUrl } from '../src/index.js'
import { migrationsFolder, query, runMig } from './mig-cli.js'

const ATTEMPTS = Number(process.argv[2] ?? 3)

const server = await startTestPostgres()
const migrations = await migrationsFolder({
  '0001_slow_outside.sql': '-- mig:no-transaction\n-- mig:up\nCREATE TABLE slow_outside (id INTEGER);\nSELECT pg_sleep(5);\n',
  '0002_slow.sql': '-- mig:up\nCREATE TABLE slow (id INTEGER);\nSELECT pg_sleep(5);\n',
})
const session = await startPgBouncer({ poolMode: 'session', target: targetFromUrl(server.url) })
const transaction = await startPgBouncer({ poolMode: 'transaction', target: targetFromUrl(server.url) })
const summary: Record<string, unknown> = {}
try {
  for (const topology of ['direct', 'pgbouncer-session', 'pgbouncer-transaction'] as const) {
    const database = await createIdleTimeoutDatabase(server.url, { idleSessionTimeoutMs: 1_000, idleInTransactionSessionTimeoutMs: 1_000 })
    try {
      const url = topology === 'direct' ? database.url : (topology === 'pgbouncer-session' ? session : transaction).url(database.name)
      const attempts: string[] = []
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const run = await runMig(['up', '--url', url, '--dir', migrations.path, '--lock-timeout', '10'])
        const outcome = run.document?.ok
          ? `ok, applied ${JSON.stringify(run.document.migrations?.map((migration) => migration.version))}`
          : `exit ${run.exitCode} ${run.document?.error?.code}: ${run.document?.error?.message.split('\n')[0] ?? run.stderr.slice(0, 200)}`
        attempts.push(`${outcome} (${run.ms} ms)`)
        console.log(`${topology}, attempt ${attempt}: ${attempts.at(-1)}`)
        if (run.document?.ok) break
      }
      const history = await query<{ version: string; state: string }>(
        database.url,
        'SELECT version, state FROM mig_migrations ORDER BY version',
      ).catch(() => [])
      console.log(`${topology}: history ${JSON.stringify(history.map((row) => `${row.version}:${row.state}`))}`)
      summary[topology] = { attempts, history: history.map((row) => `${row.version}:${row.state}`) }
    } finally {
      await database.drop()
    }
  }
  console.log(JSON.stringify(summary, null, 2))
} finally {
  await migrations.remove()
  await session.stop()
  await transaction.stop()
  await server.stop()
}
