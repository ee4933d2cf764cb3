import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type AcquireLockOptions,
  DatabaseError,
  type HistoryTableName,
  type LockHolder,
  LockTimeoutError,
  quoteIdentifier,
} from '@mig/core'
import type { SqliteDatabase } from './sqlite-database.js'

interface LockRow {
  owner: string
  pid: number
  host: string
  acquired_at: string
}

/**
 * SQLite has no advisory locks, so the lock is a row in `<history table>_lock`, taken with one
 * atomic `INSERT OR IGNORE`. Its holder's pid and host are stored so that a lock left behind by
 * a process that died on this machine is taken over instead of blocking forever.
 */
export class SqliteLock {
  private readonly owner = `${process.pid}-${Math.random().toString(36).slice(2)}`
  private table: string | undefined

  constructor(private readonly database: SqliteDatabase) {}

  async acquire(history: HistoryTableName, options: AcquireLockOptions): Promise<void> {
    const table = quoteIdentifier(`${history.name}_lock`)
    const started = Date.now()
    let delayMs = 25
    for (;;) {
      options.signal?.throwIfAborted()
      const holder = this.tryAcquire(table)
      if (holder === 'acquired') {
        this.table = table
        return
      }
      if (Date.now() - started >= options.timeoutMs) throw new LockTimeoutError(options.timeoutMs, holder)
      options.onWait(holder)
      await sleep(Math.min(delayMs, Math.max(1, options.timeoutMs - (Date.now() - started))), undefined, { signal: options.signal })
      delayMs = Math.min(delayMs * 2, 500)
    }
  }

  release(): void {
    if (!this.table) return
    try {
      this.database.prepare(`DELETE FROM ${this.table} WHERE id = 1 AND owner = ?`).run(this.owner)
    } catch {
      // A closed or broken database has no lock to give back.
    }
    this.table = undefined
  }

  /**
   * Returns 'acquired', or what is known of the current holder. Runs with no busy timeout: while
   * another connection writes, waiting here would block this whole thread (better-sqlite3 is
   * synchronous), including a lock holder in the same process.
   */
  private tryAcquire(table: string): 'acquired' | LockHolder | undefined {
    const busyTimeout = Object.values(this.database.prepare('PRAGMA busy_timeout').get() as object)[0] as number
    this.database.exec('PRAGMA busy_timeout = 0')
    try {
      this.database.exec(
        `CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL)`,
      )
      const row = this.database.prepare(`SELECT owner, pid, host, acquired_at FROM ${table} WHERE id = 1`).get() as LockRow | undefined
      if (row && row.host === hostname() && !isAlive(row.pid)) {
        this.database.prepare(`DELETE FROM ${table} WHERE id = 1 AND owner = ?`).run(row.owner)
      } else if (row) {
        return { pid: row.pid, host: row.host, since: new Date(row.acquired_at) }
      }
      const inserted = this.database
        .prepare(`INSERT OR IGNORE INTO ${table} (id, owner, pid, host, acquired_at) VALUES (1, ?, ?, ?, ?)`)
        .run(this.owner, process.pid, hostname(), new Date().toISOString())
      return inserted.changes === 1 ? 'acquired' : undefined
    } catch (error) {
      // Another process is writing (a migration in progress): the lock is busy, not broken.
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return undefined
      throw new DatabaseError((error as Error).message, { sqlState: (error as { code?: string }).code, cause: error })
    } finally {
      this.database.exec(`PRAGMA busy_timeout = ${Number(busyTimeout)}`)
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
