import { type DialectTextDefinition, type HistorySql, type RepeatableHistorySql, repeatableTableOf } from '@mig/core'
import { quotePostgresIdentifier, quotePostgresLiteral } from './postgres-identifier.js'
import { classifyPostgresStatement, postgresClientOnly } from './postgres-statement-role.js'
import { postgresLiteralRanges, splitPostgresStatements } from './postgres-statement-splitter.js'

const COLUMNS = 'version, name, checksum, state, applied_at, execution_ms, applied_by, detail, file, down_sql'

/** The dialect text; a history table without a schema lives in `defaultSchema`. */
export function postgresDialectText(defaultSchema: string): DialectTextDefinition {
  return {
    splitStatements: splitPostgresStatements,
    literalRanges: postgresLiteralRanges,
    historySql: (table) => postgresHistorySql(table.schema ?? defaultSchema, table.name),
    quoteIdentifier: quotePostgresIdentifier,
    classifyStatement: classifyPostgresStatement,
    clientOnly: postgresClientOnly,
    // 55P03 lock_not_available: lock_timeout, or NOWAIT.
    isLockTimeout: (error) => error.sqlState === '55P03',
  }
}

/**
 * The history table's statements. `schema` and `name` are identifiers core has already
 * validated (letters, digits, underscores); they are quoted as identifiers, and as literals
 * where a catalog is searched, because `tableExists` takes no parameters. Version is NUMERIC so
 * that a 20-digit version fits; an older table (BIGINT, no file or down_sql) is altered in place.
 */
export function postgresHistorySql(schema: string, name: string): HistorySql {
  const table = `${quotePostgresIdentifier(schema)}.${quotePostgresIdentifier(name)}`
  const tableFound = `EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${quotePostgresLiteral(schema)} AND c.relname = ${quotePostgresLiteral(name)})`
  return {
    // CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on the database before it checks
    // whether the schema exists, so a role without that privilege could not even name an
    // existing schema; the catalog is asked first instead.
    createTable: `DO $mig$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${quotePostgresLiteral(schema)}) THEN
    CREATE SCHEMA ${quotePostgresIdentifier(schema)};
  END IF;
  IF NOT ${tableFound} THEN
    CREATE TABLE ${table} (
      version NUMERIC PRIMARY KEY,
      name TEXT NOT NULL,
      checksum TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('applied', 'baselined', 'failed')),
      applied_at TIMESTAMPTZ NOT NULL,
      execution_ms INTEGER NOT NULL,
      applied_by TEXT NOT NULL,
      detail TEXT,
      file TEXT,
      down_sql TEXT
    );
  END IF;
END
$mig$`,
    tableExists: `SELECT 1 AS found WHERE ${tableFound}`,
    needsUpgrade: `SELECT 1 AS found FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${quotePostgresLiteral(schema)} AND c.relname = ${quotePostgresLiteral(name)} AND NOT EXISTS (
        SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'down_sql' AND NOT a.attisdropped)`,
    upgradeTable: `ALTER TABLE ${table} ALTER COLUMN version TYPE NUMERIC,
  ADD COLUMN IF NOT EXISTS file TEXT, ADD COLUMN IF NOT EXISTS down_sql TEXT`,
    selectAll: `SELECT * FROM ${table} ORDER BY version`,
    insert: `INSERT INTO ${table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    update: `UPDATE ${table} SET state = $1, checksum = $2, applied_at = $3, execution_ms = $4, detail = $5 WHERE version = $6`,
    delete: `DELETE FROM ${table} WHERE version = $1`,
    waitForWriters: waitForWritersOf(table),
    repeatables: postgresRepeatableSql(schema, repeatableTableOf({ name }).name),
  }
}

function postgresRepeatableSql(schema: string, name: string): RepeatableHistorySql {
  const table = `${quotePostgresIdentifier(schema)}.${quotePostgresIdentifier(name)}`
  return {
    // The history table's createTable has made the schema.
    createTable: `CREATE TABLE IF NOT EXISTS ${table} (
  name TEXT PRIMARY KEY,
  file TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL,
  execution_ms INTEGER NOT NULL,
  applied_by TEXT NOT NULL
)`,
    tableExists: `SELECT 1 AS found FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${quotePostgresLiteral(schema)} AND c.relname = ${quotePostgresLiteral(name)}`,
    selectAll: `SELECT * FROM ${table} ORDER BY name`,
    upsert: `INSERT INTO ${table} (name, file, checksum, applied_at, execution_ms, applied_by) VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (name) DO UPDATE SET file = EXCLUDED.file, checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at,
    execution_ms = EXCLUDED.execution_ms, applied_by = EXCLUDED.applied_by`,
    delete: `DELETE FROM ${table} WHERE name = $1`,
    waitForWriters: waitForWritersOf(table),
  }
}

/** SHARE conflicts with the ROW EXCLUSIVE lock every write takes; lock_timeout bounds the wait on the server. */
function waitForWritersOf(table: string): string {
  return `SET LOCAL lock_timeout = '3s'; LOCK TABLE ${table} IN SHARE MODE`
}
