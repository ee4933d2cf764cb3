import { hostname } from 'node:os'
import type { HistoryTableName, LockHolder, LockPart, MigrationLock } from '@mig/core'
import type { SqliteDatabase } from './sqlite-database.js'
import { quoteSqliteIdentifier } from './sqlite-dialect-text.js'
import { type SqliteSession, sqliteError } from './sqlite-session.js'

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
export const sqliteLockPart: LockPart<SqliteSession> = {
  async open(session, table) {
    return new SqliteLock(session.database, table)
  },
}

class SqliteLock implements MigrationLock {
  private readonly owner = `${process.pid}-${Math.random().toString(36).slice(2)}`
  private readonly table: string
  private held = false

  constructor(
    private readonly database: SqliteDatabase,
    history: HistoryTableName,
  ) {
    this.table = quoteSqliteIdentifier(`${history.name}_lock`)
  }

  async tryAcquire(): Promise<boolean> {
    this.held = this.withoutWaiting(() => {
      this.database.exec(
        `CREATE TABLE IF NOT EXISTS ${this.table} (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL)`,
      )
      const row = this.holderRow()
      if (row && row.host === hostname() && !isAlive(row.pid)) {
        this.database.prepare(`DELETE FROM ${this.table} WHERE id = 1 AND owner = ?`).run(row.owner)
      } else if (row) return false
      const inserted = this.database
        .prepare(`INSERT OR IGNORE INTO ${this.table} (id, owner, pid, host, acquired_at) VALUES (1, ?, ?, ?, ?)`)
        .run(this.owner, process.pid, hostname(), new Date().toISOString())
      return inserted.changes === 1
    }, false)
    return this.held
  }

  async describeHolder(): Promise<LockHolder | undefined> {
    const row = this.withoutWaiting(() => this.holderRow(), undefined)
    return row && { pid: row.pid, host: row.host, since: new Date(row.acquired_at) }
  }

  isHeld(): boolean {
    // The lock lives in the database file that the migrations change, through the same handle.
    return true
  }

  async release(): Promise<void> {
    if (!this.held) return
    this.held = false
    try {
      this.database.prepare(`DELETE FROM ${this.table} WHERE id = 1 AND owner = ?`).run(this.owner)
    } catch {
      // A closed or broken database has no lock to give back.
    }
  }

  private holderRow(): LockRow | undefined {
    try {
      return this.database.prepare(`SELECT owner, pid, host, acquired_at FROM ${this.table} WHERE id = 1`).get() as LockRow | undefined
    } catch {
      return undefined
    }
  }

  /**
   * Runs `work` with no busy timeout, and `busy` when another connection is writing (a
   * migration in progress): waiting would block this whole thread (better-sqlite3 is
   * synchronous), including a lock holder in the same process.
   */
  private withoutWaiting<T>(work: () => T, busy: T): T {
    const busyTimeout = Object.values(this.database.prepare('PRAGMA busy_timeout').get() as object)[0] as number
    this.database.exec('PRAGMA busy_timeout = 0')
    try {
      return work()
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) return busy
      throw sqliteError(error)
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
