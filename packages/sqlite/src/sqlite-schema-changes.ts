import {
  type ColumnSnapshot,
  compareSchemas,
  normaliseSql,
  pairBy,
  type SchemaChanges,
  type SchemaSnapshot,
  sortSnapshot,
  type TableSnapshot,
  viewsInCreateOrder,
} from '@mig/core'
import { quoteSqliteIdentifier as identifier } from './sqlite-dialect-text.js'

const byName = (item: { name: string }) => item.name
const changed = (pair: [{ definition?: string }, { definition?: string }]) =>
  normaliseSql(pair[0].definition ?? '') !== normaliseSql(pair[1].definition ?? '')

/**
 * The statements that turn `before` into `after`, both from {@link describeSqliteSchema}. SQLite
 * keeps every object's CREATE statement, so objects are created from their own text. A table
 * that only gained or lost plain columns is altered; any other change to a table rebuilds it the
 * way SQLite documents (a new table, the rows copied, the old one dropped, the new one renamed,
 * then its indexes and triggers again, and the views dropped around it).
 */
export function renderSqliteChanges(before: SchemaSnapshot, after: SchemaSnapshot): SchemaChanges {
  const from = sortSnapshot(before)
  const to = sortSnapshot(after)
  const tables = pairBy(from.tables, to.tables, byName)
  const rebuilt = tables.both.filter(([old, now]) => !altersInPlace(old, now)).map(([, now]) => now)
  const rebuiltNames = new Set(rebuilt.map(byName))
  const onRebuilt = (item: { table?: string }) => item.table !== undefined && rebuiltNames.has(item.table)

  const views = pairBy(from.views, to.views, byName)
  const replacedViews = rebuilt.length ? views.both : views.both.filter(changed)
  const triggers = pairBy(from.triggers, to.triggers, byName)
  const replacedTriggers = triggers.both.filter((pair) => changed(pair) || onRebuilt(pair[1]))
  const virtualTables = pairBy(from.virtualTables ?? [], to.virtualTables ?? [], byName)
  const replacedVirtual = virtualTables.both.filter(changed)

  const indexesOf = (snapshot: SchemaSnapshot) =>
    snapshot.tables.flatMap((table) => table.indexes.map((index) => ({ ...index, table: table.name })))
  const indexes = pairBy(indexesOf(from), indexesOf(to), byName)
  const replacedIndexes = indexes.both.filter((pair) => changed(pair) || onRebuilt(pair[1]))

  const statements = [
    ...[...triggers.removed, ...replacedTriggers.map(([old]) => old)].map((trigger) => `DROP TRIGGER ${identifier(trigger.name)}`),
    ...viewsInCreateOrder([...views.removed, ...replacedViews.map(([old]) => old)])
      .reverse()
      .map((view) => `DROP VIEW ${identifier(view.name)}`),
    ...[...indexes.removed, ...replacedIndexes.map(([old]) => old)]
      .filter((index) => !onRebuilt(index))
      .map((index) => `DROP INDEX ${identifier(index.name)}`),
    ...[...virtualTables.removed, ...replacedVirtual.map(([old]) => old)].map((table) => `DROP TABLE ${identifier(table.name)}`),
    ...tables.removed.map((table) => `DROP TABLE ${identifier(table.name)}`),
    ...tables.both.filter(([, now]) => !rebuiltNames.has(now.name)).flatMap(([old, now]) => alterColumns(old, now)),
    ...tables.added.map((table) => table.definition ?? ''),
    ...rebuilt.flatMap((table) => rebuild(table, from.tables.find((old) => old.name === table.name) as TableSnapshot)),
    ...[...virtualTables.added, ...replacedVirtual.map(([, now]) => now)].map((table) => table.definition),
    ...viewsInCreateOrder([...views.added, ...replacedViews.map(([, now]) => now)]).map((view) => view.definition),
    ...[...indexes.added, ...replacedIndexes.map(([, now]) => now)].map((index) => index.definition ?? ''),
    ...[...triggers.added, ...replacedTriggers.map(([, now]) => now)].map((trigger) => trigger.definition),
  ]
  return { statements: statements.map((statement) => `${statement.trim().replace(/;\s*$/, '')};`), byHand: [] }
}

/** Whether `now` is `old` with plain columns added at the end or dropped: what ALTER TABLE does in place. */
function altersInPlace(old: TableSnapshot, now: TableSnapshot): boolean {
  const { added, removed } = pairBy(old.columns, now.columns, byName)
  const addedNames = new Set(added.map(byName))
  const keys = new Set([...now.primaryKey, ...now.uniques.flat(), ...now.foreignKeys.flatMap((key) => key.columns)])
  const addable = (column: ColumnSnapshot) =>
    !keys.has(column.name) && column.generated?.stored !== true && (column.nullable || column.default !== undefined)
  const appended = now.columns.slice(now.columns.length - added.length).every((column) => addedNames.has(column.name))
  const without = (table: TableSnapshot, names: ReadonlySet<string>): TableSnapshot => ({
    ...table,
    columns: table.columns.filter((column) => !names.has(column.name)),
    checks: table.checks.filter((check) => check.column === undefined || !names.has(check.column)),
    indexes: [],
    definition: undefined,
  })
  const rest = compareSchemas(schemaOf(without(old, new Set(removed.map(byName)))), schemaOf(without(now, addedNames)))
  return appended && added.every(addable) && rest.length === 0
}

function schemaOf(table: TableSnapshot): SchemaSnapshot {
  return { tables: [table], views: [], triggers: [], sequences: [], enums: [], domains: [], functions: [] }
}

function alterColumns(old: TableSnapshot, now: TableSnapshot): string[] {
  const { added, removed } = pairBy(old.columns, now.columns, byName)
  const table = identifier(now.name)
  return [
    ...removed.map((column) => `ALTER TABLE ${table} DROP COLUMN ${identifier(column.name)}`),
    ...added.map((column) => `ALTER TABLE ${table} ADD COLUMN ${columnDefinition(column, now)}`),
  ]
}

function columnDefinition(column: ColumnSnapshot, table: TableSnapshot): string {
  const check = table.checks.find((item) => item.column === column.name)
  return [
    identifier(column.name),
    column.type,
    ...(column.collation ? [`COLLATE ${column.collation}`] : []),
    ...(column.generated ? [`GENERATED ALWAYS AS (${column.generated.expression}) VIRTUAL`] : []),
    ...(column.nullable ? [] : ['NOT NULL']),
    ...(column.default === undefined ? [] : [`DEFAULT ${column.default}`]),
    ...(check ? [`CHECK (${check.expression})`] : []),
  ]
    .filter((part) => part !== '')
    .join(' ')
}

/** SQLite's documented table rebuild: the columns both shapes have keep their rows. */
function rebuild(now: TableSnapshot, old: TableSnapshot): string[] {
  const building = identifier(`${now.name}_mig_rebuild`)
  const shared = now.columns.filter(
    (column) => !column.generated && old.columns.some((item) => item.name === column.name && !item.generated),
  )
  const list = shared.map((column) => identifier(column.name)).join(', ')
  return [
    (now.definition ?? '').replace(/^(\s*CREATE\s+TABLE\s+)("(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[^\s(]+)/i, `$1${building}`),
    `INSERT INTO ${building} (${list}) SELECT ${list} FROM ${identifier(now.name)}`,
    `DROP TABLE ${identifier(now.name)}`,
    `ALTER TABLE ${building} RENAME TO ${identifier(now.name)}`,
  ]
}
