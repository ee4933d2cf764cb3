import { createHash } from 'node:crypto'
import {
  compareSchemas,
  type Driver,
  type DriverSession,
  formatSchemaDifferences,
  type SchemaPart,
  type SchemaSnapshot,
  sortSnapshot,
} from '@mig/core'
import pg from 'pg'

/**
 * What a database holds, for comparing a crashed-and-resumed database with a clean one: its
 * schema as the driver describes it and, per table, the row count and a digest of the rows.
 * mig's own tables are left out, as the driver's schema snapshot leaves them out.
 */
export interface DatabaseSnapshot {
  readonly schema: SchemaSnapshot
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

const HISTORY_TABLE = 'mig_migrations'

export async function snapshotDatabase(driver: Driver): Promise<DatabaseSnapshot> {
  return withSession(driver, async (session) => {
    const schema = sortSnapshot(await (driver.schema as SchemaPart).describe(session, { name: HISTORY_TABLE }))
    const tables: Record<string, TableContents> = {}
    for (const { name } of schema.tables) {
      tables[name] = contentsOf(await session.query(`SELECT * FROM ${driver.text.quoteIdentifier(name)} ORDER BY 1`))
    }
    return { schema, tables }
  })
}

export async function historyRows(driver: Driver, table = HISTORY_TABLE): Promise<HistoryRow[]> {
  const sql = driver.text.historySql({ name: table })
  return withSession(driver, async (session) => {
    if (!(await session.query(sql.tableExists)).length) return []
    const rows = await session.query<{ version: unknown; state: string; checksum: string }>(sql.selectAll)
    return rows.map((row) => ({ version: Number(row.version), state: row.state, checksum: row.checksum }))
  })
}

export const EMPTY_SNAPSHOT: DatabaseSnapshot = {
  schema: { tables: [], views: [], triggers: [], enums: [], domains: [], functions: [], sequences: [] },
  tables: {},
}

async function withSession<T>(driver: Driver, work: (session: DriverSession) => Promise<T>): Promise<T> {
  const session = await driver.connect()
  try {
    return await work(session)
  } finally {
    await session.close()
  }
}

/** The first difference between two snapshots, in words; undefined when they are equal. */
export function snapshotDifference(actual: DatabaseSnapshot, expected: DatabaseSnapshot): string | undefined {
  const differences = compareSchemas(expected.schema, actual.schema)
  if (differences.length) return `schema differs: ${formatSchemaDifferences(differences)}`
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
