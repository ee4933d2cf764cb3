import {
  type CheckSnapshot,
  type ForeignKeySnapshot,
  type HistoryTableName,
  type IndexSnapshot,
  normaliseSql,
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

/** The schema of a SQLite database, from sqlite_master and the table PRAGMAs. */
export function describeSqliteSchema(database: SqliteDatabase, historyTable: HistoryTableName): SchemaSnapshot {
  const own = new Set([historyTable.name, `${historyTable.name}_lock`])
  const objects = (
    database.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").all() as MasterRow[]
  ).filter((row) => !own.has(row.tbl_name))
  const pragma = <Row>(name: string, argument: string) => database.prepare(`SELECT * FROM pragma_${name}(?)`).all(argument) as Row[]
  const indexSql = new Map(objects.filter((row) => row.type === 'index').map((row) => [row.name, row.sql]))

  const tables = objects
    .filter((row) => row.type === 'table')
    .map((row): TableSnapshot => {
      const columns = pragma<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>('table_info', row.name)
      const indexList = pragma<{ name: string; unique: number; origin: string; partial: number }>('index_list', row.name)
      const indexColumns = (index: string) =>
        pragma<{ seqno: number; name: string | null }>('index_info', index).map((column) => column.name ?? '<expression>')
      const foreignKeys = new Map<number, { table: string; from: string; to: string | null; on_update: string; on_delete: string }[]>()
      for (const reference of pragma<{ id: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }>(
        'foreign_key_list',
        row.name,
      )) {
        foreignKeys.set(reference.id, [...(foreignKeys.get(reference.id) ?? []), reference])
      }
      return {
        name: row.name,
        columns: columns.map((column) => ({
          name: column.name,
          type: normaliseSql(column.type),
          nullable: column.notnull === 0,
          default: column.dflt_value === null ? undefined : normaliseSql(column.dflt_value),
        })),
        primaryKey: columns
          .filter((column) => column.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((column) => column.name),
        uniques: indexList.filter((index) => index.origin === 'u').map((index) => indexColumns(index.name)),
        checks: checksOf(row.sql ?? ''),
        foreignKeys: [...foreignKeys.values()].map(
          (references): ForeignKeySnapshot => ({
            columns: references.map((reference) => reference.from),
            referencedTable: references[0]?.table ?? '',
            referencedColumns: references.map((reference) => reference.to ?? ''),
            onDelete: references[0]?.on_delete ?? 'NO ACTION',
            onUpdate: references[0]?.on_update ?? 'NO ACTION',
          }),
        ),
        indexes: indexList
          .filter((index) => index.origin === 'c')
          .map(
            (index): IndexSnapshot => ({
              name: index.name,
              columns: indexColumns(index.name),
              unique: index.unique === 1,
              predicate: index.partial ? predicateOf(indexSql.get(index.name) ?? '') : undefined,
            }),
          ),
      }
    })
  const definitions = (type: MasterRow['type']) =>
    objects
      .filter((row) => row.type === type)
      .map((row) => ({ name: row.name, table: row.tbl_name, definition: normaliseSql(row.sql ?? '') }))
  return {
    tables,
    views: definitions('view').map(({ name, definition }) => ({ name, definition, materialized: false })),
    triggers: definitions('trigger'),
    sequences: [],
    enums: [],
    domains: [],
    functions: [],
  }
}

/**
 * SQLite keeps CHECK constraints only in the CREATE TABLE text, so they are read from it: the
 * table's items split at top-level commas, a CHECK inside a column definition belonging to
 * that column.
 */
export function checksOf(createTable: string): CheckSnapshot[] {
  const open = createTable.indexOf('(')
  const close = createTable.lastIndexOf(')')
  if (open < 0 || close < open) return []
  return splitTopLevel(createTable.slice(open + 1, close)).flatMap((item) => {
    const checks: CheckSnapshot[] = []
    const isConstraint = /^(CONSTRAINT|CHECK|PRIMARY|UNIQUE|FOREIGN)\b/i.test(item)
    const column = isConstraint ? undefined : unquote(/^("[^"]*"|`[^`]*`|\[[^\]]*\]|\S+)/.exec(item)?.[1] ?? '')
    for (const match of item.matchAll(/\bCHECK\s*\(/gi)) {
      const start = (match.index ?? 0) + match[0].length
      checks.push({ column, expression: normaliseSql(item.slice(start, closingParen(item, start))) })
    }
    return checks
  })
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
  return match?.[1] ? normaliseSql(match[1]) : undefined
}

function unquote(identifier: string): string {
  return /^["`[]/.test(identifier) ? identifier.slice(1, -1) : identifier
}
