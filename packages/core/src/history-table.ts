import type { HistoryTableName } from './driver.js'
import { InvalidOptionsError } from './errors.js'

export const DEFAULT_HISTORY_TABLE = 'mig_migrations'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * The history table's name is the only identifier mig puts into SQL text, so it is held to
 * plain identifiers (letters, digits, underscores; at most 63 characters) and quoted as well.
 */
export function validateHistoryTableName(table: HistoryTableName): HistoryTableName {
  for (const [label, value] of [
    ['table', table.name],
    ['schema', table.schema],
  ] as const) {
    if (value !== undefined && !IDENTIFIER.test(value)) {
      throw new InvalidOptionsError(
        `The history ${label} name ${JSON.stringify(value)} is not a plain identifier. Use letters, digits and underscores, starting with a letter or underscore (at most 63).`,
      )
    }
  }
  return table
}

/** Double-quotes an identifier, doubling any quote inside it (SQL standard; SQLite and PostgreSQL). */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`
}

/** `"schema"."name"` or `"name"`. */
export function qualifiedName(table: HistoryTableName): string {
  return table.schema ? `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}` : quoteIdentifier(table.name)
}
