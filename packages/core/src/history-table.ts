import type { HistoryTableName } from './driver.js'
import { assertPlainIdentifier } from './identifier.js'

export const DEFAULT_HISTORY_TABLE = 'mig_migrations'

/** The history table's name is the only identifier mig puts into SQL text, so it is held to plain identifiers. */
export function validateHistoryTableName(table: HistoryTableName): HistoryTableName {
  assertPlainIdentifier('history table name', table.name)
  if (table.schema !== undefined) assertPlainIdentifier('history schema name', table.schema)
  return table
}

/**
 * Where repeatable migrations are recorded: the history table's name with `_repeatable`, in
 * its schema. The name is cut so that the whole fits PostgreSQL's 63 bytes, which would
 * otherwise cut the suffix itself.
 */
export function repeatableTableOf(table: HistoryTableName): HistoryTableName {
  return { ...table, name: `${table.name.slice(0, 52)}_repeatable` }
}
