import { type SchemaSnapshot, sortSnapshot, viewsInCreateOrder } from '@mig/core'

const HEADER = '-- The schema, written by mig dump from sqlite_master. Do not edit: run mig dump again.'

/**
 * A snapshot from {@link describeSqliteSchema} as a SQL script that builds it in an empty
 * database, the same bytes for the same snapshot. SQLite keeps each object's CREATE statement,
 * so the script is those statements: tables, virtual tables, views, indexes, then triggers.
 */
export function renderSqliteSchema(snapshot: SchemaSnapshot): string {
  const schema = sortSnapshot(snapshot)
  const statements = [
    ...schema.tables.map((table) => table.definition ?? ''),
    ...(schema.virtualTables ?? []).map((table) => table.definition),
    ...viewsInCreateOrder(schema.views).map((view) => view.definition),
    ...schema.tables.flatMap((table) => table.indexes.map((index) => index.definition ?? '')),
    ...schema.triggers.map((trigger) => trigger.definition),
  ]
  return `${HEADER}\n\n${statements.map((statement) => `${statement.trim().replace(/;$/, '')};`).join('\n\n')}\n`
}
