import {
  type CheckSnapshot,
  type ColumnSnapshot,
  type ForeignKeySnapshot,
  type HistoryTableName,
  type IndexSnapshot,
  repeatableTableOf,
  type SchemaSnapshot,
  type TableSnapshot,
} from '@mig/core'
import type { SqliteDatabase } from './sqlite-database.js'

interface MasterRow {
  type: 'table' | 'index' | 'view' | 'trigger'
  name: string
  tbl_name: string
  sql: string | null
}

// A table's snapshot follows from its CREATE TABLE text and its indexes' (SQLite answers every
// PRAGMA from them), so it is kept by that text: mig test snapshots a growing schema after every
// step, and would otherwise read each table's PRAGMAs hundreds of times.
const TABLE_CACHE = new Map<string, TableSnapshot>()
const TABLE_CACHE_LIMIT = 20_000

/**
 * The schema of a SQLite database, from sqlite_master and the table PRAGMAs. Each PRAGMA is read
 * for every table in one query, so a snapshot costs the same handful of queries whatever the
 * number of tables.
 */
export function describeSqliteSchema(database: SqliteDatabase, historyTable: HistoryTableName): SchemaSnapshot {
  // SQLite compares table names with ASCII case folded: `--table History` names `history`.
  const folded = (name: string) => name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
  const own = new Set([historyTable.name, `${historyTable.name}_lock`, repeatableTableOf(historyTable).name].map(folded))
  const objects = (
    database.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").all() as MasterRow[]
  ).filter((row) => !own.has(folded(row.tbl_name)))
  const virtual = objects.filter((row) => row.type === 'table' && /^CREATE\s+VIRTUAL\s+TABLE\b/i.test(row.sql ?? ''))
  // Only a virtual table has shadow tables, and pragma_table_list reads every table's shape.
  const shadow = new Set(
    virtual.length
      ? (database.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'").all() as { name: string }[]).map(
          (row) => row.name,
        )
      : [],
  )
  const ordinary = objects.filter((row) => row.type === 'table' && !virtual.includes(row) && !shadow.has(row.name))
  const indexesOf = groupBy(
    objects.filter((row) => row.type === 'index'),
    (row) => row.tbl_name,
  )
  const keys = new Map(
    ordinary.map((table) => [
      table.name,
      JSON.stringify([table.name, table.sql, (indexesOf.get(table.name) ?? []).map((index) => [index.name, index.sql])]),
    ]),
  )
  const uncached = ordinary.filter((table) => !TABLE_CACHE.has(keys.get(table.name) as string))
  if (TABLE_CACHE.size + uncached.length > TABLE_CACHE_LIMIT) TABLE_CACHE.clear()
  const sqlOf = new Map(objects.map((row) => [row.name, row.sql ?? '']))
  for (const table of describeTables(database, uncached, sqlOf)) TABLE_CACHE.set(keys.get(table.name) as string, table)
  const definitions = (type: MasterRow['type']) =>
    objects.filter((row) => row.type === type).map((row) => ({ name: row.name, table: row.tbl_name, definition: row.sql ?? '' }))
  return {
    tables: withReferencedKeys(ordinary.map((table) => TABLE_CACHE.get(keys.get(table.name) as string) as TableSnapshot)),
    views: definitions('view').map(({ name, definition }) => ({
      name,
      definition: withoutShellNote(name, definition),
      materialized: false,
    })),
    triggers: definitions('trigger'),
    sequences: [],
    enums: [],
    domains: [],
    functions: [],
    virtualTables: virtual.map((table) => ({ name: table.name, definition: table.sql ?? '' })),
  }
}

/**
 * sqlite3's `.schema` ends each view with a note of its columns, `/* name(a,b) *\/`, before the
 * semicolon; a database built from that output keeps the note in its view's SQL. It is not part
 * of the view, so a database built from `.schema` output and one built from the original compare equal.
 */
function withoutShellNote(name: string, definition: string): string {
  const note = /\s*\/\*((?:(?!\*\/)[\s\S])*)\*\/\s*$/.exec(definition)
  const text = note?.[1]?.trim() ?? ''
  const named = [name, `"${name.replace(/"/g, '""')}"`].some((spelling) => text.startsWith(`${spelling}(`) && text.endsWith(')'))
  return note && named ? definition.slice(0, note.index) : definition
}

/** The tables' snapshots, each PRAGMA read for all of them in one query. */
function describeTables(database: SqliteDatabase, tables: readonly MasterRow[], sqlOf: ReadonlyMap<string, string>): TableSnapshot[] {
  if (!tables.length) return []
  const names = JSON.stringify(tables.map((table) => table.name))
  const perTable = <Row extends { tbl: string }>(sql: string) => groupBy(database.prepare(sql).all(names) as Row[], (row) => row.tbl)
  const columnsOf = perTable<{
    tbl: string
    name: string
    type: string
    notnull: number
    dflt_value: string | null
    pk: number
    hidden: number
  }>('SELECT t.value AS tbl, p.* FROM json_each(?) t, pragma_table_xinfo(t.value) p ORDER BY t.key, p.cid')
  const indexesOf = perTable<{ tbl: string; name: string; unique: number; origin: string; partial: number }>(
    'SELECT t.value AS tbl, il.* FROM json_each(?) t, pragma_index_list(t.value) il',
  )
  const indexColumns = groupBy(
    database
      .prepare(
        'SELECT il.name AS idx, ii.name FROM json_each(?) t, pragma_index_list(t.value) il, pragma_index_info(il.name) ii ORDER BY il.name, ii.seqno',
      )
      .all(names) as { idx: string; name: string | null }[],
    (row) => row.idx,
  )
  const foreignKeysOf = perTable<{
    tbl: string
    id: number
    seq: number
    table: string
    from: string
    to: string | null
    on_update: string
    on_delete: string
  }>('SELECT t.value AS tbl, fk.* FROM json_each(?) t, pragma_foreign_key_list(t.value) fk ORDER BY t.key, fk.id, fk.seq')
  const columnsIn = (index: string) => (indexColumns.get(index) ?? []).map((column) => column.name ?? '<expression>')

  const options = new Map(
    (
      database.prepare('SELECT t.value AS tbl, tl.wr, tl.strict FROM json_each(?) t, pragma_table_list(t.value) tl').all(names) as {
        tbl: string
        wr: number
        strict: number
      }[]
    ).map((row) => [row.tbl, row]),
  )
  return tables.map((table): TableSnapshot => {
    const definition = sqlOf.get(table.name) ?? ''
    const clauses = columnClauses(definition)
    const deferred = deferredForeignKeys(definition)
    const columns = columnsOf.get(table.name) ?? []
    const indexes = indexesOf.get(table.name) ?? []
    const foreignKeys = groupBy(foreignKeysOf.get(table.name) ?? [], (reference) => String(reference.id))
    return {
      name: table.name,
      columns: columns.map((column): ColumnSnapshot => {
        const clause = clauses.get(column.name.toLowerCase())
        return {
          name: column.name,
          type: column.type,
          nullable: column.notnull === 0,
          default: column.dflt_value ?? undefined,
          ...(column.hidden >= 2 && clause?.generated !== undefined
            ? { generated: { expression: clause.generated, stored: column.hidden === 3 } }
            : {}),
          ...(clause?.collation ? { collation: clause.collation } : {}),
        }
      }),
      primaryKey: columns
        .filter((column) => column.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((column) => column.name),
      uniques: indexes.filter((index) => index.origin === 'u').map((index) => columnsIn(index.name)),
      checks: checksOf(definition),
      foreignKeys: [...foreignKeys.values()].map((references): ForeignKeySnapshot => {
        const columns = references.map((reference) => reference.from)
        const referencedTable = references[0]?.table ?? ''
        return {
          columns,
          referencedTable,
          referencedColumns: references.map((reference) => reference.to ?? ''),
          onDelete: references[0]?.on_delete ?? 'NO ACTION',
          onUpdate: references[0]?.on_update ?? 'NO ACTION',
          ...(deferred.has(foreignKeyKey(columns, referencedTable)) ? { timing: 'DEFERRABLE INITIALLY DEFERRED' } : {}),
        }
      }),
      indexes: indexes
        .filter((index) => index.origin === 'c')
        .map(
          (index): IndexSnapshot => ({
            name: index.name,
            columns: columnsIn(index.name),
            unique: index.unique === 1,
            predicate: index.partial ? predicateOf(sqlOf.get(index.name) ?? '') : undefined,
            definition: sqlOf.get(index.name) ?? '',
          }),
        ),
      ...(options.get(table.name)?.wr ? { withoutRowid: true } : {}),
      ...(options.get(table.name)?.strict ? { strict: true } : {}),
      definition,
    }
  })
}

/**
 * `REFERENCES parent` without columns means the parent's primary key; it is spelled out, so that
 * it compares equal to the same reference written with its columns.
 */
function withReferencedKeys(tables: readonly TableSnapshot[]): TableSnapshot[] {
  const primaryKeys = new Map(tables.map((table) => [table.name.toLowerCase(), table.primaryKey]))
  return tables.map((table) =>
    table.foreignKeys.some((key) => key.referencedColumns.every((column) => column === ''))
      ? {
          ...table,
          foreignKeys: table.foreignKeys.map((key) => {
            const primaryKey = primaryKeys.get(key.referencedTable.toLowerCase())
            return key.referencedColumns.every((column) => column === '') && primaryKey?.length === key.columns.length
              ? { ...key, referencedColumns: primaryKey }
              : key
          }),
        }
      : table,
  )
}

function groupBy<Row>(rows: readonly Row[], keyOf: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>()
  for (const row of rows) {
    const key = keyOf(row)
    const group = groups.get(key)
    if (group) group.push(row)
    else groups.set(key, [row])
  }
  return groups
}

/** A column's generated expression and collation, which SQLite keeps only in the CREATE TABLE text. */
function columnClauses(createTable: string): Map<string, { generated: string | undefined; collation: string | undefined }> {
  const clauses = new Map<string, { generated: string | undefined; collation: string | undefined }>()
  for (const item of tableItems(createTable)) {
    if (/^(CONSTRAINT|CHECK|PRIMARY|UNIQUE|FOREIGN)\b/i.test(item)) continue
    const name = unquote(/^("[^"]*"|`[^`]*`|\[[^\]]*\]|\S+)/.exec(item)?.[1] ?? '')
    const generatedAt = topLevelMatch(item, /\b(?:GENERATED\s+ALWAYS\s+)?AS\s*\(/gi)
    const generated = generatedAt === undefined ? undefined : item.slice(generatedAt, closingParen(item, generatedAt))
    const collation = /\bCOLLATE\s+("[^"]*"|\w+)/i.exec(item)?.[1]
    clauses.set(name.toLowerCase(), { generated, collation: collation && unquote(collation) })
  }
  return clauses
}

// What may come between a REFERENCES clause's table and its DEFERRABLE: the referenced columns,
// ON DELETE / ON UPDATE actions and MATCH.
const REFERENCES_THEN_DEFERRED =
  /^\s*(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[\w$]+)\s*(?:\([^)]*\))?(?:\s*(?:ON\s+(?:DELETE|UPDATE)\s+(?:SET\s+NULL|SET\s+DEFAULT|CASCADE|RESTRICT|NO\s+ACTION)|MATCH\s+\w+))*\s*DEFERRABLE\s+INITIALLY\s+DEFERRED\b/i

/**
 * The foreign keys checked at commit, by {@link foreignKeyKey}. pragma_foreign_key_list does not
 * say, so they are read from the CREATE TABLE text: only `DEFERRABLE INITIALLY DEFERRED` defers
 * in SQLite (`NOT DEFERRABLE …`, `DEFERRABLE` and `… INITIALLY IMMEDIATE` are checked at once).
 */
function deferredForeignKeys(createTable: string): Set<string> {
  const deferred = new Set<string>()
  for (const item of tableItems(createTable)) {
    const tableLevel = /^(?:CONSTRAINT\s+(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|\S+)\s+)?FOREIGN\s+KEY\s*\(([^)]*)\)\s*REFERENCES\b/i.exec(
      item,
    )
    if (/^(CONSTRAINT|CHECK|PRIMARY|UNIQUE|FOREIGN)\b/i.test(item) && !tableLevel) continue
    const columns = tableLevel
      ? splitTopLevel(tableLevel[1] as string).map(unquote)
      : [unquote(/^("[^"]*"|`[^`]*`|\[[^\]]*\]|\S+)/.exec(item)?.[1] ?? '')]
    const at = tableLevel ? tableLevel[0].length : topLevelMatch(item, /\bREFERENCES\b/gi)
    if (at === undefined) continue
    const after = item.slice(at)
    if (!REFERENCES_THEN_DEFERRED.test(after)) continue
    const table = /^\s*("(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[\w$]+)/.exec(after)?.[1] ?? ''
    deferred.add(foreignKeyKey(columns, unquote(table)))
  }
  return deferred
}

/** A foreign key by its columns and the table it references, as SQLite compares names. */
function foreignKeyKey(columns: readonly string[], referencedTable: string): string {
  return JSON.stringify([...columns, referencedTable].map((name) => name.toLowerCase()))
}

/** Where the first match of `pattern` outside parentheses ends, or undefined. */
function topLevelMatch(item: string, pattern: RegExp): number | undefined {
  for (const match of item.matchAll(pattern)) {
    const before = item.slice(0, match.index)
    if ((before.match(/\(/g) ?? []).length === (before.match(/\)/g) ?? []).length) return (match.index ?? 0) + match[0].length
  }
  return undefined
}

/**
 * SQLite keeps CHECK constraints only in the CREATE TABLE text, so they are read from it: the
 * table's items split at top-level commas, a CHECK inside a column definition belonging to
 * that column.
 */
export function checksOf(createTable: string): CheckSnapshot[] {
  return tableItems(createTable).flatMap((item) => {
    const checks: CheckSnapshot[] = []
    const isConstraint = /^(CONSTRAINT|CHECK|PRIMARY|UNIQUE|FOREIGN)\b/i.test(item)
    const column = isConstraint ? undefined : unquote(/^("[^"]*"|`[^`]*`|\[[^\]]*\]|\S+)/.exec(item)?.[1] ?? '')
    for (const match of item.matchAll(/\bCHECK\s*\(/gi)) {
      const start = (match.index ?? 0) + match[0].length
      checks.push({ column, expression: item.slice(start, closingParen(item, start)) })
    }
    return checks
  })
}

/** The column definitions and table constraints between the parentheses of a CREATE TABLE. */
function tableItems(createTable: string): string[] {
  const open = createTable.indexOf('(')
  const close = createTable.lastIndexOf(')')
  return open < 0 || close < open ? [] : splitTopLevel(createTable.slice(open + 1, close))
}

function splitTopLevel(body: string): string[] {
  const items: string[] = []
  let depth = 0
  let quote: string | undefined
  let start = 0
  for (let index = 0; index < body.length; index++) {
    const char = body[index] as string
    if (quote) {
      if (char === quote) quote = undefined
    } else if (char === "'" || char === '"' || char === '`') quote = char
    else if (char === '(') depth++
    else if (char === ')') depth--
    else if (char === ',' && depth === 0) {
      items.push(body.slice(start, index).trim())
      start = index + 1
    }
  }
  items.push(body.slice(start).trim())
  return items.filter(Boolean)
}

/** Index of the parenthesis that closes the one opened just before `start`. */
function closingParen(text: string, start: number): number {
  let depth = 1
  let quote: string | undefined
  for (let index = start; index < text.length; index++) {
    const char = text[index] as string
    if (quote) {
      if (char === quote) quote = undefined
    } else if (char === "'" || char === '"') quote = char
    else if (char === '(') depth++
    else if (char === ')' && --depth === 0) return index
  }
  return text.length
}

function predicateOf(createIndex: string): string | undefined {
  const match = /\bWHERE\b([\s\S]*)$/i.exec(createIndex)
  return match?.[1]?.trim() || undefined
}

function unquote(identifier: string): string {
  return /^["`[]/.test(identifier) ? identifier.slice(1, -1) : identifier
}
