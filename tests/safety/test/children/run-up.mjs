// One `up` run in a process of its own, for the suites that kill or race runners. It imports
// the built packages, as an application would. Configured by environment:
//   MIG_SAFETY_DIALECT     sqlite | postgres
//   MIG_SAFETY_TARGET      SQLite file name, or PostgreSQL URL
//   MIG_SAFETY_MIGRATIONS  folder of migration files
//   MIG_SAFETY_LOCK_TIMEOUT_MS (default 60000), MIG_SAFETY_SQLITE_PRAGMAS (JSON object)
// Prints one JSON line per event on stdout (written synchronously to the pipe, so a line is out
// before the run goes on), and exits 0 when done, 3 on a lock timeout, 1 on another mig error,
// 2 on anything else.
import { fromDirectory, LockTimeoutError, MigError, Migrator } from '@mig/core'

const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`)

async function openDriver() {
  const target = process.env.MIG_SAFETY_TARGET
  if (process.env.MIG_SAFETY_DIALECT === 'sqlite') {
    const { sqliteDriver } = await import('@mig/sqlite')
    return sqliteDriver({ filename: target, pragmas: JSON.parse(process.env.MIG_SAFETY_SQLITE_PRAGMAS || '{}') })
  }
  const { postgresDriver } = await import('@mig/postgres')
  return postgresDriver({ connectionString: target })
}

const migrator = new Migrator({
  driver: await openDriver(),
  source: fromDirectory(process.env.MIG_SAFETY_MIGRATIONS),
  lockTimeoutMs: Number(process.env.MIG_SAFETY_LOCK_TIMEOUT_MS || 60_000),
})
migrator.on('lock-waiting', () => say({ event: 'lock-waiting' }))
migrator.on('lock-acquired', () => say({ event: 'lock-acquired' }))
migrator.on('migrating', (event) => say({ event: 'migrating', version: event.migration.version }))
migrator.on('migrated', (event) => say({ event: 'migrated', version: event.migration.version, ms: event.durationMs }))
say({ event: 'ready', pid: process.pid })

try {
  const result = await migrator.up()
  say({ event: 'done', applied: result.migrations.map((migration) => migration.version) })
} catch (error) {
  say({ event: 'error', name: error?.name, code: error?.code, message: String(error?.message ?? error) })
  process.exitCode = error instanceof LockTimeoutError ? 3 : error instanceof MigError ? 1 : 2
}
