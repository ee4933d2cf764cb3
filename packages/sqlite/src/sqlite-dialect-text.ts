import type { DialectTextDefinition, HistorySql, HistoryTableName } from '@mig/core'
import { inspectSqliteScript } from './sqlite-pragma-check.js'
import { classifySqliteStatement } from './sqlite-statement-role.js'
import { splitSqliteStatements } from './sqlite-statement-splitter.js'

const COLUMNS = 'version, name, checksum, state, applied_at, execution_ms, applied_by, detail'

/** Double quotes, as the SQL standard and SQLite have them; a quote inside is doubled. */
export function quoteSqliteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`
}

export function sqliteHistorySql(table: HistoryTableName): HistorySql {
  const name = quoteSqliteIdentifier(table.name)
  return {
    createTable: `CREATE TABLE IF NOT EXISTS ${name} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('applied', 'baselined', 'failed')),
  applied_at TEXT NOT NULL,
  execution_ms INTEGER NOT NULL,
  applied_by TEXT NOT NULL,
  detail TEXT
)`,
    // Core has validated the name as a plain identifier, so it is safe as a literal too.
    tableExists: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${table.name}'`,
    selectAll: `SELECT ${COLUMNS} FROM ${name} ORDER BY version`,
    insert: `INSERT INTO ${name} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    update: `UPDATE ${name} SET state = ?, checksum = ?, applied_at = ?, execution_ms = ?, detail = ? WHERE version = ?`,
    delete: `DELETE FROM ${name} WHERE version = ?`,
  }
}

export const sqliteDialectText: DialectTextDefinition = {
  splitStatements: splitSqliteStatements,
  historySql: sqliteHistorySql,
  quoteIdentifier: quoteSqliteIdentifier,
  classifyStatement: classifySqliteStatement,
  inspectScript: inspectSqliteScript,
}
