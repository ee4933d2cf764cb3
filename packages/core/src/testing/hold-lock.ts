import type { Driver, HistoryTableName } from '../driver.js'
import { DEFAULT_HISTORY_TABLE } from '../history-table.js'

export interface HeldLock {
  /** Gives the lock back and closes its session. */
  release(): Promise<void>
}

/** Takes a history table's migration lock the way another run would, until `release()`: for tests of waiting runners. */
export async function holdMigrationLock(driver: Driver, table: HistoryTableName = { name: DEFAULT_HISTORY_TABLE }): Promise<HeldLock> {
  const session = await driver.connect()
  try {
    const lock = await driver.lock.open(session, table, { timeoutMs: 10_000 })
    if (!(await lock.tryAcquire())) {
      await lock.release()
      throw new Error(`The migration lock of ${table.name} is held already.`)
    }
    return {
      async release() {
        await lock.release()
        await session.close()
      },
    }
  } catch (error) {
    await session.close()
    throw error
  }
}
