import { readlinkSync, realpathSync } from 'node:fs'
import { hostname } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import type { HistoryTableName, LockHolder, LockPart, MigrationLock } from '@mig/core'
import type { SqliteDatabase } from './sqlite-database.js'
import { SqliteLegacyLock } from './sqlite-legacy-lock.js'
import { SqliteLockFile } from './sqlite-lock-file.js'
import type { SqliteSession } from './sqlite-session.js'

/**
 * The migration lock of a database file is held by something the operating system gives back
 * when its holder dies, in any PID namespace or container that shares the file: an open write
 * transaction on a lock file beside the database (see {@link SqliteLockFile}). No pid is ever
 * guessed alive or dead, and a live holder is never stolen. An in-memory database lives in one
 * process only, so its lock is a mark on the database object.
 */
export const sqliteLockPart: LockPart<SqliteSession> = {
  async open(session, table) {
    const { file } = session
    if (file === undefined) return new InProcessLock(session.database)
    // A file that is not a database is refused here, before a lock file is left beside it.
    await session.query('SELECT 1 FROM sqlite_master LIMIT 1')
    return new SqliteLock(session, file, table)
  },
}

class SqliteLock implements MigrationLock {
  private readonly file: SqliteLockFile
  private readonly legacy: SqliteLegacyLock

  constructor(session: SqliteSession, file: string, table: HistoryTableName) {
    // Beside the file itself, so that runners reaching it through a symlink share one lock; and
    // named in lower case, as SQLite folds the case of the (ASCII) table name: `--table History`
    // and `--table history` are one table, so they must be one lock.
    const databasePath = realFile(file)
    this.file = new SqliteLockFile(`${databasePath}.${table.name.toLowerCase()}.lock`, databasePath)
    this.legacy = new SqliteLegacyLock(session, `${table.name}_lock`)
  }

  async tryAcquire(): Promise<boolean> {
    if (!this.file.tryAcquire()) return false
    // Older mig versions kept the lock as a row in the database; such a runner may still be at work.
    try {
      if (this.legacy.holder() || !this.legacy.shutOut()) {
        this.file.release()
        return false
      }
    } catch (error) {
      this.file.release()
      throw error
    }
    return true
  }

  async describeHolder(): Promise<LockHolder | undefined> {
    return this.file.describeHolder() ?? this.legacy.holder()
  }

  isHeld(): boolean {
    return this.file.held
  }

  async release(): Promise<void> {
    this.file.release()
    this.file.close()
  }
}

/**
 * Where a path leads through any symlinks, even to a file not created yet: a dangling link's
 * target, where SQLite creates the file, so that its lock is the one a runner naming it takes.
 */
export function realFile(path: string): string {
  let current = path
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
    let folder: string
    try {
      folder = realpathSync(dirname(current))
    } catch {
      return current
    }
    const file = join(folder, basename(current))
    try {
      current = resolve(folder, readlinkSync(file))
    } catch {
      return file
    }
  }
  return current
}

/** As many as Linux follows before it gives up (ELOOP). */
const MAX_SYMLINK_HOPS = 40

const holders = new WeakMap<object, LockHolder>()

class InProcessLock implements MigrationLock {
  private held = false

  constructor(private readonly database: SqliteDatabase) {}

  async tryAcquire(): Promise<boolean> {
    if (holders.has(this.database)) return false
    holders.set(this.database, { pid: process.pid, host: hostname(), since: new Date() })
    this.held = true
    return true
  }

  async describeHolder(): Promise<LockHolder | undefined> {
    return holders.get(this.database)
  }

  isHeld(): boolean {
    return this.held
  }

  async release(): Promise<void> {
    if (!this.held) return
    this.held = false
    holders.delete(this.database)
  }
}
