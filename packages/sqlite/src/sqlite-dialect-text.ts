import { type DialectTextDefinition, type HistorySql, type HistoryTableName, type RepeatableHistorySql, repeatableTableOf } from '@mig/core'
import { inspectSqliteScript } from './sqlite-pragma-check.js'
import { classifySqliteStatement, sqliteClientOnly } from './sqlite-statement-role.js'
import { splitSqliteStatements, sqliteLiteralRanges } from './sqlite-statement-splitter.js'

const COLUMNS = 'version, name, checksum, state, applied_at, execution_ms, applied_by, detail, file, down_sql'

/** Double quotes, as the SQL standard and SQLite have them; a quote inside is doubled. */
export function quoteSqliteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`
}

/**
 * The newest layout stores version as TEXT, so that a 20-digit version fits; an older table
 * (INTEGER version, no file or down_sql) is rebuilt into it, which older mig versions still read.
 */
export function sqliteHistorySql(table: HistoryTableName): HistorySql {
  const name = quoteSqliteIdentifier(table.name)
  const upgrading = quoteSqliteIdentifier(`${table.name}_upgrading`)
  const columns = (into: string) => `CREATE TABLE IF NOT EXISTS ${into} (
  version TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('applied', 'baselined', 'failed')),
  applied_at TEXT NOT NULL,
  execution_ms INTEGER NOT NULL,
  applied_by TEXT NOT NULL,
  detail TEXT,
  file TEXT,
  down_sql TEXT
)`
  // Core has validated the name as a plain identifier, so it is safe as a literal too.
  const literal = `'${table.name}'`
  return {
    createTable: columns(name),
    tableExists: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${literal}`,
    needsUpgrade: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${literal}
  AND NOT EXISTS (SELECT 1 FROM pragma_table_info(${literal}) WHERE name = 'down_sql')`,
    upgradeTable: `DROP TABLE IF EXISTS ${upgrading};
${columns(upgrading)};
INSERT INTO ${upgrading} (version, name, checksum, state, applied_at, execution_ms, applied_by, detail)
  SELECT CAST(version AS TEXT), name, checksum, state, applied_at, execution_ms, applied_by, detail FROM ${name};
DROP TABLE ${name};
ALTER TABLE ${upgrading} RENAME TO ${name};`,
    selectAll: `SELECT * FROM ${name} ORDER BY length(version), version`,
    insert: `INSERT INTO ${name} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    update: `UPDATE ${name} SET state = ?, checksum = ?, applied_at = ?, execution_ms = ?, detail = ? WHERE version = ?`,
    delete: `DELETE FROM ${name} WHERE version = ?`,
    repeatables: sqliteRepeatableSql(repeatableTableOf(table).name),
  }
}

function sqliteRepeatableSql(tableName: string): RepeatableHistorySql {
  const name = quoteSqliteIdentifier(tableName)
  return {
    createTable: `CREATE TABLE IF NOT EXISTS ${name} (
  name TEXT PRIMARY KEY NOT NULL,
  file TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  execution_ms INTEGER NOT NULL,
  applied_by TEXT NOT NULL
)`,
    tableExists: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${tableName}'`,
    selectAll: `SELECT * FROM ${name} ORDER BY name`,
    upsert: `INSERT INTO ${name} (name, file, checksum, applied_at, execution_ms, applied_by) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET file = excluded.file, checksum = excluded.checksum, applied_at = excluded.applied_at,
    execution_ms = excluded.execution_ms, applied_by = excluded.applied_by`,
    delete: `DELETE FROM ${name} WHERE name = ?`,
  }
}

export const sqliteDialectText: DialectTextDefinition = {
  splitStatements: splitSqliteStatements,
  literalRanges: sqliteLiteralRanges,
  historySql: sqliteHistorySql,
  quoteIdentifier: quoteSqliteIdentifier,
  classifyStatement: classifySqliteStatement,
  inspectScript: inspectSqliteScript,
  clientOnly: sqliteClientOnly,
}
