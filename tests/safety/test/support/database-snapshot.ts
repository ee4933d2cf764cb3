import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'
import pg from 'pg'

/**
 * What a database holds, for comparing a crashed-and-resumed database with a clean one: its
 * catalog (tables, columns, indexes, views) and, per table, the row count and a digest of the
 * rows. mig's own tables (`mig_*`) are left out. This is the one place that reads catalogs; it
 * can move to the drivers' schema snapshots once they exist.
 */
export interface DatabaseSnapshot {
  readonly schema: readonly string[]
  readonly tables: Readonly<Record<string, TableContents>>
}

export interface TableContents {
  readonly rows: number
  /** SHA-256 of the rows as JSON, in primary-key (first column) order. */
  readonly digest: string
}

/** A history row as the database stores it. */
export interface HistoryRow {
  readonly version: number
  readonly state: string
  readonly checksum: string
}

const OWN_TABLE = /^mig_/

export function snapshotSqlite(filename: string): DatabaseSnapshot {
  if (!existsSync(filename)) return { schema: [], tables: {} }
  // A read-write handle: opening a file that a killed process left with a hot journal rolls it
  // back, exactly as the next runner's connection would.
  const database = new Database(filename, { fileMustExist: true, timeout: 10_000 })
  try {
    const objects = database
      .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all() as { type: string; name: string; tbl_name: string; sql: string | null }[]
    const schema: string[] = []
    const tables: Record<string, TableContents> = {}
    for (const object of objects.filter((candidate) => !OWN_TABLE.test(candidate.tbl_name))) {
      schema.push(`${object.type} ${object.name} on ${object.tbl_name}: ${normaliseSpace(object.sql ?? '')}`)
      if (object.type !== 'table') continue
      const columns = database.prepare(`PRAGMA table_info(${quote(object.name)})`).all() as {
        name: string
        type: string
        notnull: number
        dflt_value: string | null
        pk: number
      }[]
      for (const column of columns) {
        schema.push(
          `column ${object.name}.${column.name} ${column.type} notnull=${column.notnull} default=${column.dflt_value} pk=${column.pk}`,
        )
      }
      tables[object.name] = contentsOf(database.prepare(`SELECT * FROM ${quote(object.name)} ORDER BY 1`).all())
    }
    return { schema: schema.sort(), tables }
  } finally {
    database.close()
  }
}

export async function snapshotPostgres(url: string): Promise<DatabaseSnapshot> {
  return withClient(url, async (client) => {
    // One snapshot of the whole database, so that history and schema are read at the same instant.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    try {
      const schema: string[] = []
      const columns = await client.query<Record<string, string | number | null>>(
        `SELECT table_name, column_name, data_type, is_nullable, column_default, ordinal_position
           FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
      )
      for (const column of columns.rows.filter((row) => !OWN_TABLE.test(String(row.table_name)))) {
        schema.push(
          `column ${column.table_name}.${column.column_name} ${column.data_type} nullable=${column.is_nullable} default=${column.column_default} position=${column.ordinal_position}`,
        )
      }
      const indexes = await client.query<{ tablename: string; indexname: string; indexdef: string }>(
        "SELECT tablename, indexname, indexdef FROM pg_catalog.pg_indexes WHERE schemaname = 'public'",
      )
      for (const index of indexes.rows.filter((row) => !OWN_TABLE.test(row.tablename))) {
        schema.push(`index ${index.indexname} on ${index.tablename}: ${index.indexdef}`)
      }
      const views = await client.query<{ viewname: string; definition: string }>(
        "SELECT viewname, definition FROM pg_catalog.pg_views WHERE schemaname = 'public'",
      )
      for (const view of views.rows) schema.push(`view ${view.viewname}: ${normaliseSpace(view.definition)}`)
      const tables: Record<string, TableContents> = {}
      const names = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      )
      for (const { table_name: name } of names.rows.filter((row) => !OWN_TABLE.test(row.table_name))) {
        tables[name] = contentsOf((await client.query(`SELECT * FROM public.${quote(name)} ORDER BY 1`)).rows)
      }
      return { schema: schema.sort(), tables: sortKeys(tables) }
    } finally {
      await client.query('ROLLBACK')
    }
  })
}

export function sqliteHistory(filename: string, table = 'mig_migrations'): HistoryRow[] {
  if (!existsSync(filename)) return []
  const database = new Database(filename, { fileMustExist: true, timeout: 10_000 })
  try {
    const exists = database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table)
    if (!exists) return []
    return database.prepare(`SELECT version, state, checksum FROM ${quote(table)} ORDER BY version`).all() as HistoryRow[]
  } finally {
    database.close()
  }
}

export async function postgresHistory(url: string, table = 'mig_migrations'): Promise<HistoryRow[]> {
  return withClient(url, async (client) => {
    const exists = await client.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [
      'public',
      table,
    ])
    if (!exists.rowCount) return []
    const { rows } = await client.query<{ version: string; state: string; checksum: string }>(
      `SELECT version, state, checksum FROM public.${quote(table)} ORDER BY version`,
    )
    return rows.map((row) => ({ version: Number(row.version), state: row.state, checksum: row.checksum }))
  })
}

/** The first difference between two snapshots, in words; undefined when they are equal. */
export function snapshotDifference(actual: DatabaseSnapshot, expected: DatabaseSnapshot): string | undefined {
  const missing = expected.schema.filter((line) => !actual.schema.includes(line))
  const extra = actual.schema.filter((line) => !expected.schema.includes(line))
  if (missing.length || extra.length) {
    return `schema differs: missing [${missing.slice(0, 5).join('; ')}], extra [${extra.slice(0, 5).join('; ')}]`
  }
  for (const name of new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])) {
    const want = expected.tables[name]
    const got = actual.tables[name]
    if (want?.rows !== got?.rows) return `table ${name}: ${got?.rows} rows, expected ${want?.rows}`
    if (want?.digest !== got?.digest) return `table ${name}: same row count (${got?.rows}) but different contents`
  }
  return undefined
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'mig-safety-harness' })
  client.on('error', () => {})
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end().catch(() => {})
  }
}

function contentsOf(rows: unknown[]): TableContents {
  const json = JSON.stringify(rows, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))
  return { rows: rows.length, digest: createHash('sha256').update(json).digest('hex') }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)))
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`
}

function normaliseSpace(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim()
}
