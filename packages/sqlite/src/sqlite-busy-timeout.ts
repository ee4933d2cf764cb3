import type { SqliteDatabase } from './sqlite-database.js'

interface Borrowed {
  readonly previous: number
  sessions: number
}

/** The application's own busy_timeout of each connection mig is using, while any session of mig's is open on it. */
const borrowed = new WeakMap<SqliteDatabase, Borrowed>()

/**
 * Sets `busy_timeout` on a connection the application owns for as long as mig works on it,
 * and returns what puts the application's own value back. Sessions may overlap (a `status()`
 * while `up()` runs): the first one remembers the value, the last one to close restores it.
 */
export function borrowBusyTimeout(database: SqliteDatabase, busyTimeoutMs: number): () => void {
  const entry = borrowed.get(database) ?? { previous: busyTimeoutOf(database), sessions: 0 }
  borrowed.set(database, entry)
  entry.sessions++
  database.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
  let returned = false
  return () => {
    if (returned) return
    returned = true
    entry.sessions--
    if (entry.sessions > 0) return
    borrowed.delete(database)
    try {
      database.exec(`PRAGMA busy_timeout = ${entry.previous}`)
    } catch {
      // The application closed its connection first.
    }
  }
}

/** The connection's `busy_timeout` in milliseconds. */
export function busyTimeoutOf(database: SqliteDatabase): number {
  return (database.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout
}
