// Reproduction (issue 11, case 2b): mig's lock connection silently dropped (a TCP proxy stops
// forwarding it, as a NAT or load balancer that forgets a connection) while a migration runs,
// with the current mig. Then a second run tries. Not a test: it prints what happened.
//   pnpm build && pnpm --filter @mig-internal/test-topology exec tsx repro/lock-connection-blackhole.ts [seconds to wait for the run]
import { createTestDatabase, startTestPostgres } from '@mig-internal/test-postgres'
import { startTcpProxy } from '../src/index.js'
import { advisoryLocksHeld, migrationsFolder, query, runMig } from './mig-cli.js'

const WAIT_SECONDS = Number(process.argv[2] ?? 60)

const server = await startTestPostgres()
const serverAddress = new URL(server.url)
const proxy = await startTcpProxy({ target: { host: serverAddress.hostname, port: Number(serverAddress.port || 5432) } })
const database = await createTestDatabase(server.url)
const files = {
  '0001_slow.sql': '-- mig:up\nCREATE TABLE slow (id INTEGER);\nSELECT pg_sleep(3);\n',
  '0002_after.sql': '-- mig:up\nCREATE TABLE after_slow (id INTEGER);\n',
}
const migrations = await migrationsFolder(files)
// The next deploy brings one more migration, so it needs the lock.
const nextDeploy = await migrationsFolder({ ...files, '0003_next_deploy.sql': '-- mig:up\nCREATE TABLE next_deploy (id INTEGER);\n' })
const report: Record<string, unknown> = {}
try {
  const started = Date.now()
  const first = runMig(['up', '--url', proxy.url(database.url), '--dir', migrations.path], WAIT_SECONDS * 1_000)

  // The lock connection is the session holding the advisory lock; find its port on the proxy.
  let lockPort: number | undefined
  while (lockPort === undefined && Date.now() - started < 30_000) {
    const rows = await query<{ port: number }>(
      server.url,
      `SELECT a.client_port AS port FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.datname = $1`,
      [database.name],
    )
    lockPort = rows[0]?.port
    if (lockPort === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (lockPort === undefined) throw new Error('the first run never took the lock')
  proxy.blackhole((connection) => connection.serverSidePort === lockPort)
  console.log(`lock connection (server-side port ${lockPort}) blackholed ${Date.now() - started} ms after start`)

  const run = await first
  const outcome = run.exitCode === null ? `still running after ${WAIT_SECONDS} s, killed` : `exit ${run.exitCode}`
  report.firstRun = {
    outcome,
    ms: run.ms,
    error: run.document?.error?.code,
    message: run.document?.error?.message.split('\n')[0],
    applied: run.document?.migrations?.map((migration) => migration.version),
  }
  console.log(`first run: ${outcome} after ${run.ms} ms; ${JSON.stringify(report.firstRun)}`)
  const history = await query<{ version: string; state: string }>(
    database.url,
    'SELECT version, state FROM mig_migrations ORDER BY version',
  )
  report.history = history.map((row) => `${row.version}:${row.state}`)
  report.advisoryLocksHeldAfterFirstRun = await advisoryLocksHeld(server.url, database.name)
  console.log(
    `history ${JSON.stringify(report.history)}; advisory locks still held on the server: ${report.advisoryLocksHeldAfterFirstRun}`,
  )

  // The next runner, direct to the server, as after a redeploy: the server still sees the
  // dropped session, and its lock, alive.
  const next = await runMig(['up', '--url', database.url, '--dir', nextDeploy.path, '--lock-timeout', '10'])
  report.nextRun = { exit: next.exitCode, ms: next.ms, error: next.document?.error?.code }
  console.log(`next run: ${JSON.stringify(report.nextRun)}`)

  // What a server's own TCP keepalive (or a restart) eventually does: the session ends.
  proxy.closeAll()
  await new Promise((resolve) => setTimeout(resolve, 500))
  const after = await runMig(['up', '--url', database.url, '--dir', nextDeploy.path, '--lock-timeout', '10'])
  report.runAfterTheSessionEnded = { exit: after.exitCode, ms: after.ms, applied: after.document?.migrations?.map((m) => m.version) }
  console.log(`after the dropped session ended on the server: ${JSON.stringify(report.runAfterTheSessionEnded)}`)
  console.log(JSON.stringify(report, null, 2))
} finally {
  await proxy.stop()
  await database.drop()
  await migrations.remove()
  await nextDeploy.remove()
  await server.stop()
}
