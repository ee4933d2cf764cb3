import type { LockHolder } from './driver.js'
import type { HistoryRecord } from './history-store.js'
import type { MigrationVersion } from './migration-version.js'
import type { MigratorSettings } from './migrator-options.js'

/**
 * How the history row of a migration outside a transaction starts its detail while it runs: it
 * is written as `failed` before the first statement, so that a runner killed half-way leaves a
 * trace the next run refuses.
 */
export const IN_FLIGHT_DETAIL = 'interrupted:'

/**
 * Migrations recorded as in flight whose runner still holds the migration lock, with that
 * holder: they are running, not failed. Only when no runner holds the lock is such a row a
 * failure part-way. Asks the lock only when there is such a row, so a healthy history costs
 * nothing more.
 */
export async function findRunningMigrations(
  settings: MigratorSettings,
  records: readonly HistoryRecord[],
): Promise<ReadonlyMap<MigrationVersion, LockHolder>> {
  const inFlight = records.filter((record) => record.state === 'failed' && record.detail?.startsWith(IN_FLIGHT_DETAIL))
  if (!inFlight.length) return new Map()
  const holder = await currentLockHolder(settings)
  return new Map(holder ? inFlight.map((record) => [record.version, holder]) : [])
}

async function currentLockHolder(settings: MigratorSettings): Promise<LockHolder | undefined> {
  const session = await settings.driver.connect()
  try {
    const lock = await settings.driver.lock.open(session, settings.table, { timeoutMs: settings.lockWaitMs })
    try {
      return await lock.describeHolder()
    } finally {
      await lock.release()
    }
  } finally {
    await session.close()
  }
}
