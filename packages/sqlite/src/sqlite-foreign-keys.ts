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

  constructor(private readonly database: SqliteDatabase) {}

  /** Before BEGIN: remembers whether enforcement was on and switches it off. */
  suspend(): void {
    this.setting ??= this.database.prepare('PRAGMA foreign_keys')
    this.restoreOn = (this.setting.get() as { foreign_keys: number }).foreign_keys === 1
    if (this.restoreOn) this.database.exec('PRAGMA foreign_keys = OFF')
  }

  /**
   * Before COMMIT: throws when a row refers to a parent row that is not there. Checked only when
   * enforcement was on, so a database kept without it is not held to rules it never had. A row
   * whose parent table does not exist at that moment is not counted: some tools split a rebuild
   * over several migrations (create, copy, drop, rename), and between the drop and the rename
   * nothing was deleted; the next commit checks those rows again once the table is back.
   */
  check(): void {
    if (!this.restoreOn) return
    const violations = (this.database.prepare('PRAGMA foreign_key_check').all() as Violation[]).filter((violation) =>
      this.tableExists(violation.parent),
    )
    if (violations.length) throw foreignKeyError(violations)
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
