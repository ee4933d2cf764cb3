import { DatabaseError } from '@mig/core'
import type { PostgresClient } from './postgres-client.js'
import { splitPostgresStatements } from './postgres-statement-splitter.js'

const CONCURRENT_INDEX_BUILD = /^CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\b/i

/** Whether the script is a `CREATE [UNIQUE] INDEX CONCURRENTLY`, which leaves an INVALID index behind when it fails. */
export function buildsIndexConcurrently(sql: string): boolean {
  const first = splitPostgresStatements(sql)[0]
  return first !== undefined && CONCURRENT_INDEX_BUILD.test(first.text)
}

/** Names of the INVALID indexes in the database, schema-qualified where the search path needs it. */
export async function invalidIndexes(client: PostgresClient): Promise<string[]> {
  const { rows } = await client.query('SELECT indexrelid::pg_catalog.regclass::text AS name FROM pg_catalog.pg_index WHERE NOT indisvalid')
  return rows.map((row) => row.name as string)
}

/** The error of a failed concurrent index build, naming the INVALID indexes it left and how to remove them. */
export function withInvalidIndexes(error: DatabaseError, names: readonly string[]): DatabaseError {
  if (!names.length) return error
  const drop = names.map((name) => `DROP INDEX CONCURRENTLY ${name};`).join(' ')
  return new DatabaseError(`${error.message}. The failed build left the INVALID index ${names.join(', ')} behind`, {
    sqlState: error.sqlState,
    detail: error.detail,
    hint: [error.hint, `Drop it with ${drop} before retrying.`].filter(Boolean).join(' '),
    position: error.position,
    cause: error.cause,
  })
}
