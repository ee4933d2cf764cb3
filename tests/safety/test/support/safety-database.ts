import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Driver } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase } from '@mig-internal/test-postgres'
import { type DatabaseSnapshot, EMPTY_SNAPSHOT, type HistoryRow, historyRows, snapshotDatabase, withClient } from './database-snapshot.js'
import type { Dialect } from './runner-process.js'

/** A fresh database of either dialect, seen the same way by every suite. */
export interface SafetyDatabase {
  readonly dialect: Dialect
  /** SQLite file name or PostgreSQL URL. */
  readonly target: string
  /** A driver for runs inside the test process. */
  driver(): Driver
  snapshot(): Promise<DatabaseSnapshot>
  history(): Promise<HistoryRow[]>
  /**
   * Waits until the database shows nothing of a killed runner still at work. A PostgreSQL
   * backend finishes the statement it was running before it notices that its client is gone.
   */
  settle(): Promise<void>
  drop(): Promise<void>
}

export function createSqliteDatabase(folder: string, name: string): SafetyDatabase {
  const filename = join(folder, `${name}.db`)
  return {
    dialect: 'sqlite',
    target: filename,
    driver: () => sqliteDriver({ filename }),
    // A missing file is an empty database; opening it would create it.
    snapshot: async () => (existsSync(filename) ? snapshotDatabase(sqliteDriver({ filename })) : EMPTY_SNAPSHOT),
    history: async () => (existsSync(filename) ? historyRows(sqliteDriver({ filename })) : []),
    settle: async () => {},
    drop: async () => {},
  }
}

export async function createPostgresDatabase(serverUrl: string): Promise<SafetyDatabase> {
  const database = await createTestDatabase(serverUrl)
  return {
    dialect: 'postgres',
    target: database.url,
    driver: () => postgresDriver({ connectionString: database.url }),
    snapshot: () => snapshotDatabase(postgresDriver({ connectionString: database.url })),
    history: () => historyRows(postgresDriver({ connectionString: database.url })),
    settle: () => waitForNoRunnerSessions(database.url, database.name),
    drop: () => database.drop(),
  }
}

/** mig names its sessions `mig`; a killed runner's are gone once the server has noticed. */
async function waitForNoRunnerSessions(url: string, name: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  await withClient(url, async (client) => {
    for (;;) {
      const { rows } = await client.query<{ count: string }>(
        "SELECT count(*) AS count FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND application_name = 'mig'",
        [name],
      )
      if (Number(rows[0]?.count) === 0) return
      if (Date.now() > deadline) throw new Error(`sessions of a killed runner still open on ${name} after ${timeoutMs} ms`)
      await sleep(20)
    }
  })
}
