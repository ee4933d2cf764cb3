import type { Driver } from '@mig/core'
import { configError } from './cli-error.js'

/** Rows fetched per query, so a fleet of 100,000 never sits in memory at once. */
const PAGE_SIZE = 500

export type QueryTargetKind = 'url' | 'schema'

/**
 * The values of the `url` or `schema` column of `sql`'s rows on the control database, a page
 * at a time (`ORDER BY 1 LIMIT … OFFSET …` around the query, which SQLite and PostgreSQL both
 * take), each page on a session of its own so no connection is held while targets run.
 */
export async function* queryTargets(
  control: Driver,
  sql: string,
): AsyncGenerator<{ readonly kind: QueryTargetKind; readonly value: string }, void, undefined> {
  const query = sql.trim().replace(/;+\s*$/, '')
  let kind: QueryTargetKind | undefined
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const rows = await page(control, `SELECT * FROM (${query}) AS mig_fleet_targets ORDER BY 1 LIMIT ${PAGE_SIZE} OFFSET ${offset}`)
    for (const row of rows) {
      kind ??= kindOf(row)
      const value = row[kind]
      if (typeof value === 'string' && value.trim() !== '') yield { kind, value: value.trim() }
    }
    if (rows.length < PAGE_SIZE) return
  }
}

/** The query behind `--schemas <pattern>`: schemas of the control database by a `*`/`?` pattern. */
export function schemaQuery(pattern: string): string {
  if (!/^[A-Za-z0-9_*?]+$/.test(pattern)) {
    throw configError(`--schemas takes a pattern of letters, digits, _, * and ?, such as tenant_*, not "${pattern}".`)
  }
  const like = pattern.replace(/_/g, '\\_').replace(/\*/g, '%').replace(/\?/g, '_')
  return (
    `SELECT schema_name AS schema FROM information_schema.schemata WHERE schema_name LIKE '${like}' ESCAPE '\\'` +
    ` AND schema_name NOT LIKE 'pg\\_%' ESCAPE '\\' AND schema_name <> 'information_schema'`
  )
}

async function page(control: Driver, sql: string): Promise<Record<string, unknown>[]> {
  const session = await control.connect()
  try {
    return await session.query(sql)
  } finally {
    await session.close()
  }
}

function kindOf(row: Record<string, unknown>): QueryTargetKind {
  if ('url' in row) return 'url'
  if ('schema' in row) return 'schema'
  throw configError(
    `The targets query must return a column named url (database URLs) or schema (schemas of --url's database); it returned ${Object.keys(row).join(', ')}.`,
  )
}
