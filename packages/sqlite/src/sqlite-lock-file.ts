import { chmodSync, chownSync, existsSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import type { LockHolder } from '@mig/core'
import { DatabaseError } from '@mig/core'
import Database from 'better-sqlite3'
import type { SqliteDatabase } from './sqlite-database.js'

interface HolderRow {
  owner: string
  pid: number
  host: string
  acquired_at: string
}

/** How long COMMIT may wait for a reader of the holder row (a runner asking who holds the lock). */
const COMMIT_WAIT_MS = 2_000

/**
 * A lock held as an open `BEGIN IMMEDIATE` (SQLite's RESERVED lock, a POSIX advisory lock on
 * the file) on a small SQLite database beside the migrated one. The kernel drops it when the
 * holder's process dies, whatever its PID namespace, container or thread; other runners sharing
 * the file see it at once. While it is held, readers may still read the committed `holder` row,
 * which says who holds it:
 *
 *   BEGIN IMMEDIATE → write own holder row → COMMIT → BEGIN IMMEDIATE → row still own? → held
 *
 * Between the COMMIT and the second BEGIN another runner may take the lock and write its row;
 * whoever then holds the lock with its own row in place is the holder, and the other backs off.
 * The file stays when the lock is released, even beside a database a refused run never created:
 * SQLite names a file's rollback journal after its path, so a runner still holding a deleted lock
 * file open would take the journal of the file that replaced it for its own, roll it back into the
 * deleted file and then hold that one while another runner holds the new one.
 */
export class SqliteLockFile {
  private readonly owner = `${process.pid}-${Math.random().toString(36).slice(2)}`
  private connection: SqliteDatabase | undefined
  private holding = false

  /** `databasePath`: the database the lock is for, whose owner and permissions a new lock file takes. */
  constructor(
    readonly path: string,
    private readonly databasePath: string,
  ) {}

  get held(): boolean {
    return this.holding
  }

  /** Tries once, without waiting; `moved` when trying again on the file that replaced a removed one. */
  tryAcquire(moved = false): boolean {
    const connection = this.open()
    if (!begin(connection)) return false
    try {
      connection.exec(
        'CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL)',
      )
      connection
        .prepare('INSERT OR REPLACE INTO holder (id, owner, pid, host, acquired_at) VALUES (1, ?, ?, ?, ?)')
        .run(this.owner, process.pid, hostname(), new Date().toISOString())
      commit(connection)
    } catch (error) {
      rollback(connection)
      if (isBusy(error)) return false
      if (isMoved(error) && !moved) {
        // The file was deleted (by hand, or by an older mig db drop) while this connection had it open: the lock is the file at the path now.
        this.close()
        return this.tryAcquire(true)
      }
      // A lock file mig cannot write (read-only, or on a read-only mount) is no lock another run holds.
      this.close()
      const code = (error as { code?: string }).code
      throw new DatabaseError(
        `Cannot write the migration lock file ${this.path} beside the database: ${(error as Error).message}. ${this.accessAdvice(code)}`,
        { sqlState: code, cause: error },
      )
    }
    if (!begin(connection)) return false
    if (this.holderRow(connection)?.owner !== this.owner) {
      rollback(connection)
      return false
    }
    this.holding = true
    return true
  }

  /** The holder, or undefined when the lock is free. Never creates the file. */
  describeHolder(): LockHolder | undefined {
    if (this.holding) return holderOf(this.holderRow(this.open()))
    if (!this.connection && !existsSync(this.path)) return undefined
    const connection = this.open()
    if (begin(connection)) {
      rollback(connection)
      return undefined
    }
    return holderOf(this.holderRow(connection)) ?? {}
  }

  /** Gives the lock back: the holder row goes with the COMMIT that ends the transaction. */
  release(): void {
    if (!this.holding || !this.connection) return
    this.holding = false
    try {
      this.connection.prepare('DELETE FROM holder WHERE id = 1 AND owner = ?').run(this.owner)
      commit(this.connection)
    } catch {
      rollback(this.connection)
    }
  }

  close(): void {
    this.release()
    try {
      this.connection?.close()
    } catch {
      // Already closed.
    }
    this.connection = undefined
  }

  private open(): SqliteDatabase {
    if (this.connection) return this.connection
    const created = !existsSync(this.path)
    try {
      this.connection = new Database(this.path, { timeout: 0 }) as unknown as SqliteDatabase
    } catch (error) {
      throw new DatabaseError(
        `Cannot open the migration lock file ${this.path} beside the database: ${(error as Error).message}. mig needs to create and write it in the database's folder.`,
        { sqlState: (error as { code?: string }).code, cause: error },
      )
    }
    if (created) takeOwnerOf(this.databasePath, this.path)
    return this.connection
  }

  /** What to change so that mig can write the lock file: its folder, or the file, which a run as another user (root) may have created. */
  private accessAdvice(code: string | undefined): string {
    if (code === 'SQLITE_READONLY_DIRECTORY') {
      return `Its folder ${dirname(this.path)} is read-only for the user running mig, and SQLite writes the lock file's journal there: give that user write access to the folder.`
    }
    let owner = ''
    try {
      const { uid, mode } = statSync(this.path)
      owner = `It belongs to uid ${uid} with mode ${(mode & 0o777).toString(8).padStart(4, '0')}, and mig runs as uid ${process.getuid?.()}. `
    } catch {
      // Gone meanwhile: the advice below still holds.
    }
    return (
      `${owner}Give the user who runs mig write access to it, for example the database file's owner and permissions ` +
      `(chown --reference=${this.databasePath} ${this.path}; chmod --reference=${this.databasePath} ${this.path}).`
    )
  }

  private holderRow(connection: SqliteDatabase): HolderRow | undefined {
    try {
      return connection.prepare('SELECT owner, pid, host, acquired_at FROM holder WHERE id = 1').get() as HolderRow | undefined
    } catch {
      return undefined
    }
  }
}

/**
 * A new lock file gets the database file's permissions and, when mig runs as root, its owner, as
 * SQLite does for the journal and WAL files it creates: a deploy as root, or as another user of
 * the application's group, must not leave a lock file the application's own user cannot write.
 * Best effort: the lock works without it, and a file another runner created may not be ours to change.
 */
function takeOwnerOf(databasePath: string, lockPath: string): void {
  try {
    const database = statSync(databasePath)
    chmodSync(lockPath, database.mode & 0o777)
    if (process.getuid?.() === 0) chownSync(lockPath, database.uid, database.gid)
  } catch {
    // Left as created.
  }
}

function holderOf(row: HolderRow | undefined): LockHolder | undefined {
  return row && { pid: row.pid, host: row.host, since: new Date(row.acquired_at) }
}

/** BEGIN IMMEDIATE without waiting: false when another connection holds the lock. */
function begin(connection: SqliteDatabase): boolean {
  try {
    connection.exec('PRAGMA busy_timeout = 0')
    connection.exec('BEGIN IMMEDIATE')
    return true
  } catch (error) {
    if (isBusy(error)) return false
    throw new DatabaseError(`Cannot lock the migration lock file: ${(error as Error).message}`, { cause: error })
  }
}

function isBusy(error: unknown): boolean {
  return (error as { code?: string }).code?.startsWith('SQLITE_BUSY') === true
}

function isMoved(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_READONLY_DBMOVED'
}

function commit(connection: SqliteDatabase): void {
  connection.exec(`PRAGMA busy_timeout = ${COMMIT_WAIT_MS}`)
  connection.exec('COMMIT')
}

function rollback(connection: SqliteDatabase): void {
  try {
    if (connection.inTransaction) connection.exec('ROLLBACK')
  } catch {
    // Nothing open.
  }
}
