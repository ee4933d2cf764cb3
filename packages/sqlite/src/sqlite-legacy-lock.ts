import type { LockHolder } from '@mig/core'
import type { SqliteDatabase } from './sqlite-database.js'
import { quoteSqliteIdentifier } from './sqlite-dialect-text.js'
import { sqliteError } from './sqlite-session.js'

interface LegacyRow {
  pid: number
  host: string
  acquired_at: string
}

const REFUSAL =
  'This database is migrated by a newer mig now: its migration lock is a file beside the database, which this mig version ' +
  'does not take, so this version must not write here. Run the newer mig; status and validate of this version still read the history.'

/**
 * Older mig versions kept the migration lock as a row in `<history table>_lock`, in the database
 * itself. Such a runner neither sees the lock file nor writes versions the newer history table
 * matches (it binds them as floating-point numbers: `5.0`). Once a newer runner holds the lock
 * file, the table becomes a view with the same columns, always empty, whose insert trigger
 * refuses: an older runner reads no holder, then fails at once naming the fix, and its read-only
 * commands still work.
 */
export class SqliteLegacyLock {
  private readonly quoted: string

  constructor(
    private readonly session: { readonly database: SqliteDatabase },
    private readonly name: string,
  ) {
    this.quoted = quoteSqliteIdentifier(name)
  }

  /** Read at each use: a session may move from its stand-in to the file meanwhile. */
  private get database(): SqliteDatabase {
    return this.session.database
  }

  /** A lock row of an older mig, which nothing frees when its holder dies: it says how to clear it. */
  holder(): LockHolder | undefined {
    let row: LegacyRow | undefined
    try {
      row = this.database.prepare(`SELECT pid, host, acquired_at FROM ${this.quoted} WHERE id = 1`).get() as LegacyRow | undefined
    } catch {
      return undefined
    }
    if (!row) return undefined
    return {
      pid: row.pid,
      host: row.host,
      since: new Date(row.acquired_at),
      clearBy: `sqlite3 ${JSON.stringify(this.database.name)} 'DELETE FROM ${this.quoted}' (a lock row left by an older mig version, which cannot be freed automatically)`,
    }
  }

  /**
   * Turns the older versions' lock table into the refusing view; called while holding the lock
   * file. Returns false, changing nothing, when an older runner took its row meanwhile.
   */
  shutOut(): boolean {
    const found = this.database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE").get(this.name)
    if (!found) return true
    try {
      this.database.exec('BEGIN IMMEDIATE')
      if (this.holder()) {
        this.database.exec('ROLLBACK')
        return false
      }
      const trigger = quoteSqliteIdentifier(`${this.name}_refuse_older_mig`)
      this.database.exec(`DROP TABLE ${this.quoted};
CREATE VIEW ${this.quoted} AS SELECT 1 AS id, '' AS owner, 0 AS pid, '' AS host, '' AS acquired_at WHERE 0;
CREATE TRIGGER ${trigger} INSTEAD OF INSERT ON ${this.quoted} BEGIN SELECT RAISE(ABORT, '${REFUSAL.replace(/'/g, "''")}'); END;
COMMIT`)
      return true
    } catch (error) {
      if (this.database.inTransaction) this.database.exec('ROLLBACK')
      throw sqliteError(error, undefined, this.database)
    }
  }
}
