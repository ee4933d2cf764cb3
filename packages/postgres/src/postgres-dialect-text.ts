import type { DialectTextDefinition, HistorySql } from '@mig/core'
import { classifyPostgresStatement } from './postgres-statement-role.js'
import { splitPostgresStatements } from './postgres-statement-splitter.js'

const COLUMNS = 'version, name, checksum, state, applied_at, execution_ms, applied_by, detail'

/** Double quotes; a quote inside is doubled. */
export function quotePostgresIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`
}

/** The dialect text; a history table without a schema lives in `defaultSchema`. */
export function postgresDialectText(defaultSchema: string): DialectTextDefinition {
  return {
    splitStatements: splitPostgresStatements,
    historySql: (table) => postgresHistorySql(table.schema ?? defaultSchema, table.name),
    quoteIdentifier: quotePostgresIdentifier,
    classifyStatement: classifyPostgresStatement,
    // 55P03 lock_not_available: lock_timeout, or NOWAIT.
    isLockTimeout: (error) => error.sqlState === '55P03',
  }
}

/**
 * The history table's statements. `schema` and `name` are identifiers core has already
 * validated (letters, digits, underscores); they are quoted as identifiers, and as literals
 * where a catalog is searched, because `tableExists` takes no parameters.
 */
export function postgresHistorySql(schema: string, name: string): HistorySql {
  const table = `${quotePostgresIdentifier(schema)}.${quotePostgresIdentifier(name)}`
  const tableFound = `EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${quoteLiteral(schema)} AND c.relname = ${quoteLiteral(name)})`
  return {
    // CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on the database before it checks
    // whether the schema exists, so a role without that privilege could not even name an
    // existing schema; the catalog is asked first instead.
    createTable: `DO $mig$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(schema)}) THEN
    CREATE SCHEMA ${quotePostgresIdentifier(schema)};
  END IF;
  IF NOT ${tableFound} THEN
    CREATE TABLE ${table} (
      version BIGINT PRIMARY KEY,
      name TEXT NOT NULL,
      checksum TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('applied', 'baselined', 'failed')),
      applied_at TIMESTAMPTZ NOT NULL,
      execution_ms INTEGER NOT NULL,
      applied_by TEXT NOT NULL,
      detail TEXT
    );
  END IF;
END
$mig$`,
    tableExists: `SELECT 1 AS found WHERE ${tableFound}`,
    selectAll: `SELECT ${COLUMNS} FROM ${table} ORDER BY version`,
    insert: `INSERT INTO ${table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    update: `UPDATE ${table} SET state = $1, checksum = $2, applied_at = $3, execution_ms = $4, detail = $5 WHERE version = $6`,
    delete: `DELETE FROM ${table} WHERE version = $1`,
  }
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}
