import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import pg from 'pg'

export interface IdleTimeoutOptions {
  /** `idle_session_timeout` (PostgreSQL 14+): a session idle outside a transaction this long is closed (SQLSTATE 57P05). */
  readonly idleSessionTimeoutMs?: number
  /** `idle_in_transaction_session_timeout`: a session idle inside a transaction this long is closed (SQLSTATE 25P03). */
  readonly idleInTransactionSessionTimeoutMs?: number
}

/**
 * A throwaway database whose sessions time out when idle, as on a managed server that sets these
 * timeouts: `ALTER DATABASE ... SET` applies to every new session in that database only, so the
 * server's own settings stay as they are. `drop()` removes the database and the settings with it.
 */
export async function createIdleTimeoutDatabase(serverUrl: string, options: IdleTimeoutOptions): Promise<TestDatabase> {
  const database = await createTestDatabase(serverUrl)
  const client = new pg.Client({ connectionString: serverUrl })
  client.on('error', () => {})
  try {
    await client.connect()
    const { rows } = await client.query<{ version: number }>("SELECT current_setting('server_version_num')::int AS version")
    if (options.idleSessionTimeoutMs !== undefined && (rows[0]?.version ?? 0) < 140_000) {
      throw new Error('idle_session_timeout needs PostgreSQL 14 or newer.')
    }
    // Both are integers and createTestDatabase made the name from hex digits: nothing to quote.
    if (options.idleSessionTimeoutMs !== undefined) {
      await client.query(`ALTER DATABASE ${database.name} SET idle_session_timeout = ${Math.trunc(options.idleSessionTimeoutMs)}`)
    }
    if (options.idleInTransactionSessionTimeoutMs !== undefined) {
      await client.query(
        `ALTER DATABASE ${database.name} SET idle_in_transaction_session_timeout = ${Math.trunc(options.idleInTransactionSessionTimeoutMs)}`,
      )
    }
  } catch (error) {
    await database.drop()
    throw error
  } finally {
    await client.end().catch(() => {})
  }
  return database
}
