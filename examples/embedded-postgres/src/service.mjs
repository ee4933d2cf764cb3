import { MigError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import pg from 'pg'

/**
 * Starts the accounts service: brings the database up to date, then serves. Serving is one
 * query here, so that the example runs to completion. Resolves to the process exit code: a
 * database that cannot be migrated stops the service before it serves anything.
 */
export async function startService({ databaseUrl, source, log = console }) {
  // The service's own pool. mig borrows two clients from it while migrating and never ends it.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 5 })
  pool.on('error', (error) => log.error(`database: ${error.message}`))
  try {
    const migrator = new Migrator({
      // lockTimeout: a migration that waits this long for a table lock fails instead of
      // queueing every query on that table behind it.
      driver: postgresDriver({ pool, lockTimeout: '5s' }),
      source,
      // Another replica migrating the same database holds the lock; wait this long for it.
      lockWaitMs: 30_000,
      // No error method: up() throws the error, and the service logs it once, below.
      logger: {
        info: (message) => log.info(`migrate: ${message}`),
        warn: (message) => log.warn(`migrate: ${message}`),
      },
    })
    try {
      const { migrations, durationMs } = await migrator.up()
      log.info(migrations.length === 0 ? 'migrate: up to date' : `migrate: applied ${migrations.length} in ${durationMs} ms`)
    } catch (error) {
      log.error(`refusing to start: ${error instanceof MigError ? `${error.code} ${error.message}` : error}`)
      return 1
    }

    const { rows } = await pool.query('SELECT count(*)::int AS count FROM accounts')
    log.info(`ready: ${rows[0].count} accounts`)
    return 0
  } finally {
    await pool.end()
  }
}
