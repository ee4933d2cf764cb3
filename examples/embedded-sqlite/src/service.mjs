import { MigError, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'

/**
 * Starts the bookmarks service: brings the database up to date, then serves. Serving is one
 * query here, so that the example runs to completion. Resolves to the process exit code: a
 * database that cannot be migrated stops the service before it serves anything.
 */
export async function startService({ databaseFile, source, log = console }) {
  const database = new Database(databaseFile)
  try {
    const migrator = new Migrator({
      // The service's own connection: mig uses it and leaves it open.
      driver: sqliteDriver({ database }),
      source,
      // Another replica migrating the same file holds the lock; wait this long for it.
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

    const { count } = database.prepare('SELECT count(*) AS count FROM bookmarks').get()
    log.info(`ready: ${count} bookmarks`)
    return 0
  } finally {
    database.close()
  }
}
