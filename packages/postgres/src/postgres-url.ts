import { assertPlainIdentifier, type Driver, InvalidOptionsError, redactUrl } from '@mig/core'
import { checkCredentials } from './postgres-connection-url.js'
import { postgresDriver } from './postgres-driver.js'
import type { PostgresSession } from './postgres-session.js'

/**
 * A driver for a URL of the mig CLI: `postgres://…` or `postgresql://…`. With `schema` (a fleet
 * of one schema per tenant), migrations run with `search_path` set to that schema, then
 * `public` for shared extensions, and the history table lives in that schema.
 */
export function driverFromUrl(
  url: string,
  options: { baseDirectory: string; schema?: string; access?: 'read-only' | 'read-write' },
): Driver<PostgresSession> {
  const trimmed = url.trim()
  checkCredentials(trimmed)
  if (!/^postgres(ql)?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    throw new InvalidOptionsError(
      `The URL ${redactUrl(url)} is not a valid PostgreSQL URL. Write it as postgres://user:password@host:5432/database, with special characters in the password percent-encoded.`,
    )
  }
  if (options.schema === undefined) return postgresDriver({ connectionString: trimmed })
  const schema = assertPlainIdentifier('schema', options.schema)
  return postgresDriver({ connectionString: withSearchPath(trimmed, schema), schema })
}

/**
 * Sets `search_path` as a startup parameter (`options=-c search_path=…`), so it holds from the
 * first statement of every connection, the lock's included. Quoted, because the server folds an
 * unquoted name to lower case.
 */
function withSearchPath(connectionString: string, schema: string): string {
  const url = new URL(connectionString)
  const setting = `-c search_path="${schema}",public`
  const existing = url.searchParams.get('options')
  url.searchParams.set('options', existing ? `${existing} ${setting}` : setting)
  return url.toString()
}
