// Reproduction (issue 11, case 1): 8 `mig up` at once through PgBouncer in transaction mode,
// ROUNDS times, with the current mig. Not a test: it prints what happened.
//   pnpm build && pnpm --filter @mig-internal/test-topology exec tsx repro/pgbouncer-concurrency.ts [rounds] [session|transaction]
import { createTestDatabase, startTestPostgres } from '@mig-internal/test-postgres'
import { startPgBouncer, targetFromUrl } from '../src/index.js'
import { advisoryLocksHeld, migrationsFolder, query, runMig } from './mig-cli.js'

const ROUNDS = Number(process.argv[2] ?? 10)
const POOL_MODE = (process.argv[3] ?? 'transaction') as 'session' | 'transaction'
const RUNNERS = 8
const VERSIONS = [1, 2, 3, 4, 5, 6]

const files: Record<string, string> = {
  '0001_applied_log.sql': '-- mig:up\nCREATE TABLE applied_log (version INTEGER NOT NULL);\n',
  '0004_outside_transaction.sql':
    '-- mig:no-transaction\n-- mig:up\nCREATE INDEX CONCURRENTLY applied_log_version ON applied_log (version);\nINSERT INTO applied_log (version) VALUES (4);\n',
}
for (const version of [2, 3, 5, 6]) {
  files[`000${version}_step_${version}.sql`] =
    `-- mig:up\nCREATE TABLE step_${version} (id INTEGER);\nINSERT INTO applied_log (version) VALUES (${version});\nSELECT pg_sleep(0.05);\n`
}

const server = await startTestPostgres()
const bouncer = await startPgBouncer({ poolMode: POOL_MODE, target: targetFromUrl(server.url) })
const migrations = await migrationsFolder(files)
const oneMore = await migrationsFolder({ ...files, '0007_next.sql': '-- mig:up\nCREATE TABLE next_run (id INTEGER);\n' })
const totals = {
  rounds: ROUNDS,
  runnersPerRound: RUNNERS,
  poolMode: POOL_MODE,
  roundsClean: 0,
  roundsWithDoubleApply: 0,
  doubleAppliedMigrations: 0,
  roundsWithSeveralRunnersInside: 0,
  falseFailedPartWay: 0,
  duplicateKeyFailures: 0,
  otherFailures: 0,
  roundsWithLockLeftHeld: 0,
  nextRunsTimedOut: 0,
  exitCodes: {} as Record<string, number>,
}
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const database = await createTestDatabase(server.url)
    try {
      const url = bouncer.url(database.name)
      const runs = await Promise.all(
        Array.from({ length: RUNNERS }, () => runMig(['up', '--url', url, '--dir', migrations.path, '--lock-timeout', '30'])),
      )
      for (const run of runs) totals.exitCodes[String(run.exitCode)] = (totals.exitCodes[String(run.exitCode)] ?? 0) + 1
      const appliers = runs.filter((run) => run.document?.ok && (run.document.migrations?.length ?? 0) > 0).length
      const errors = runs.map((run) => run.document?.error).filter((error) => error !== undefined)
      const partWay = errors.filter((error) => error.code === 'MIG_PARTIAL_MIGRATION').length
      const duplicates = errors.filter((error) => /duplicate key|already exists/.test(error.message)).length
      const logged = await query<{ version: number; times: string }>(
        database.url,
        'SELECT version, count(*) AS times FROM applied_log GROUP BY version ORDER BY version',
      ).catch(() => [])
      const doubles = logged.filter((row) => Number(row.times) > 1).length
      const history = await query<{ version: string; state: string }>(
        database.url,
        'SELECT version, state FROM mig_migrations ORDER BY version',
      ).catch(() => [])
      // Wait a moment: a runner's last unlock may still be on its way.
      await new Promise((resolve) => setTimeout(resolve, 300))
      const locksLeft = await advisoryLocksHeld(server.url, database.name)
      const next = await runMig(['up', '--url', url, '--dir', oneMore.path, '--lock-timeout', '5'])
      const nextTimedOut = next.document?.error?.code === 'MIG_LOCK_TIMEOUT'

      totals.doubleAppliedMigrations += doubles
      if (doubles) totals.roundsWithDoubleApply++
      if (appliers > 1 || duplicates > 0 || partWay > 0) totals.roundsWithSeveralRunnersInside++
      totals.falseFailedPartWay += partWay
      totals.duplicateKeyFailures += duplicates
      totals.otherFailures += errors.length - partWay - duplicates - errors.filter((error) => error.code === 'MIG_LOCK_TIMEOUT').length
      if (locksLeft) totals.roundsWithLockLeftHeld++
      if (nextTimedOut) totals.nextRunsTimedOut++
      const allApplied = history.length === VERSIONS.length && history.every((row) => row.state === 'applied')
      if (!doubles && !errors.length && !locksLeft && !nextTimedOut && allApplied) totals.roundsClean++
      console.log(
        `round ${round}: exit codes ${runs.map((run) => run.exitCode).join(',')}; runners that applied something ${appliers}; ` +
          `errors ${JSON.stringify(errors.map((error) => error.code))}; logged ${JSON.stringify(logged.map((row) => `${row.version}x${row.times}`))}; ` +
          `history ${JSON.stringify(history.map((row) => `${row.version}:${row.state}`))}; advisory locks left ${locksLeft}; ` +
          `next run ${nextTimedOut ? 'timed out on the lock' : (next.document?.error?.code ?? 'ok')}`,
      )
      for (const error of errors.filter((error) => error.code !== 'MIG_LOCK_TIMEOUT').slice(0, 2))
        console.log(`    ${error.code}: ${error.message.split('\n')[0]}`)
    } finally {
      await database.drop()
    }
  }
  console.log(JSON.stringify(totals, null, 2))
} finally {
  await migrations.remove()
  await oneMore.remove()
  await bouncer.stop()
  await server.stop()
}
