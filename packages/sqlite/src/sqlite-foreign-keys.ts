import { DatabaseError } from '@mig/core'
import type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'

interface Violation {
  readonly table: string
  readonly rowid: number | bigint | null
  readonly parent: string
}

/**
 * Foreign keys around one migration transaction, as Django's and Rails' SQLite migrators do.
 * `PRAGMA foreign_keys` is a no-op inside a transaction, and with it on a table rebuild's
 * `DROP TABLE parent` runs ON DELETE CASCADE on every child. So enforcement is switched off
 * before BEGIN, `PRAGMA foreign_key_check` runs before COMMIT, and the setting is put back
 * after the transaction ends either way.
 */
export class SqliteForeignKeys {
  private restoreOn = false
  private setting: SqliteStatement | undefined
  /** The violations the database held before the migration, by row: not the migration's to answer for. */
  private existing = new Map<string, number>()

  constructor(private readonly database: SqliteDatabase) {}

  /** Before BEGIN: remembers whether enforcement was on and switches it off. */
  suspend(): void {
    this.setting ??= this.database.prepare('PRAGMA foreign_keys')
    this.restoreOn = (this.setting.get() as { foreign_keys: number }).foreign_keys === 1
    if (this.restoreOn) this.database.exec('PRAGMA foreign_keys = OFF')
  }

  /** After BEGIN: notes the violations already there, written while enforcement was off. */
  noteExisting(): void {
    this.existing = new Map()
    if (!this.restoreOn) return
    for (const violation of this.violations()) this.existing.set(keyOf(violation), (this.existing.get(keyOf(violation)) ?? 0) + 1)
  }

  /**
   * Before COMMIT: throws when the migration left a row referring to a parent row that is not
   * there. Checked only when enforcement was on, so a database kept without it is not held to
   * rules it never had; rows that pointed at nothing before the migration are not its doing. A
   * row whose parent table does not exist at that moment is not counted: some tools split a
   * rebuild over several migrations (create, copy, drop, rename), and between the drop and the
   * rename nothing was deleted; the next commit checks those rows again once the table is back.
   */
  check(): void {
    if (!this.restoreOn) return
    const existing = new Map(this.existing)
    const violations = this.violations().filter((violation) => {
      const before = existing.get(keyOf(violation)) ?? 0
      existing.set(keyOf(violation), before - 1)
      return before <= 0 && this.tableExists(violation.parent)
    })
    if (violations.length) throw foreignKeyError(violations)
  }

  private violations(): Violation[] {
    try {
      return this.database.prepare('PRAGMA foreign_key_check').all() as Violation[]
    } catch (error) {
      // "foreign key mismatch": a foreign key names parent columns that are not a key, so no row can be checked.
      throw new DatabaseError(
        `SQLite cannot check this database's foreign keys, as mig does around every migration while they are on: ${(error as Error).message}. ` +
          'A foreign key must refer to its parent table\'s PRIMARY KEY or to columns with a UNIQUE index. Fix that table in a migration marked "-- mig:no-transaction", which mig does not check.',
        { sqlState: (error as { code?: string }).code, cause: error },
      )
    }
  }

  private tableExists(name: string): boolean {
    return this.database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE").get(name) !== undefined
  }

  /** After COMMIT or ROLLBACK: puts enforcement back as it was. */
  restore(): void {
    if (!this.restoreOn || this.database.inTransaction) return
    this.restoreOn = false
    this.database.exec('PRAGMA foreign_keys = ON')
  }
}

function keyOf(violation: Violation): string {
  return `${violation.table}\u0000${violation.rowid}\u0000${violation.parent}`
}

function foreignKeyError(violations: readonly Violation[]): DatabaseError {
  const groups = new Map<string, Violation[]>()
  for (const violation of violations) {
    const key = `${violation.table} → ${violation.parent}`
    groups.set(key, [...(groups.get(key) ?? []), violation])
  }
  const described = [...groups.values()].map((rows) => {
    const first = rows[0] as Violation
    const ids = rows.slice(0, 10).map((row) => String(row.rowid ?? '?'))
    const more = rows.length > ids.length ? ` and ${rows.length - ids.length} more` : ''
    return `${rows.length} row${rows.length > 1 ? 's' : ''} of ${first.table} (rowid ${ids.join(', ')}${more}) refer${rows.length > 1 ? '' : 's'} to missing rows of ${first.parent}`
  })
  return new DatabaseError(
    `The migration would leave rows whose foreign key points at nothing (PRAGMA foreign_key_check): ${described.join('; ')}. ` +
      'Copy or keep the parent rows those rows refer to (a table rebuild must copy every row before it drops the old table), or delete the orphaned rows in the migration',
    { sqlState: 'SQLITE_CONSTRAINT_FOREIGNKEY' },
  )
}
