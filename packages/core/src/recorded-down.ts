import type { HistoryRecord } from './history-store.js'
import type { MigrationScripts, MigrationStep } from './migration.js'

const NO_TRANSACTION = '-- mig:no-transaction\n'

/**
 * What history records of a migration's down section when it is applied, so that it can be
 * reverted as it was applied after its file changed or went away: the SQL, after a first line
 * `-- mig:no-transaction` when the migration runs outside a transaction (a comment, so the text
 * stays runnable as it is). Undefined for a code migration or one without a down section.
 */
export function recordDown(scripts: MigrationScripts): string | undefined {
  if (scripts.down?.kind !== 'sql') return undefined
  return `${scripts.transaction ? '' : NO_TRANSACTION}${scripts.down.sql}`
}

/** The down section recorded with a migration, ready to run; undefined when none was recorded. */
export function recordedDownScripts(record: HistoryRecord): { down: MigrationStep; transaction: boolean } | undefined {
  if (record.downSql === undefined) return undefined
  const transaction = !record.downSql.startsWith(NO_TRANSACTION)
  const sql = transaction ? record.downSql : record.downSql.slice(NO_TRANSACTION.length)
  return { down: { kind: 'sql', sql, line: 1 }, transaction }
}
