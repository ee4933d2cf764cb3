import { assertPlainIdentifier, type Driver, InvalidOptionsError, redactUrl } from '@mig/core'
import { checkCredentials } from './postgres-connection-url.js'
import { postgresDriver } from './postgres-driver.js'
import type { PostgresLockKind } from './postgres-lock.js'
import type { PostgresSession } from './postgres-session.js'
import { timeoutSetting } from './postgres-timeouts.js'

/**
 * A driver for a URL of the mig CLI: `postgres://…` or `postgresql://…`, with the CLI's
 * `--lock` and `--table-lock-timeout`. With `schema` (a fleet of one schema per tenant),
 * migrations run with `search_path` set to that schema, then `public` for shared extensions, and
 * the history table lives in that schema.
 */
export function driverFromUrl(
  url: string,
  options: {
    baseDirectory: string
    schema?: string
    access?: 'read-only' | 'read-write' | 'existing'
    lock?: string
    lockTimeout?: string
  },
): Driver<PostgresSession> {
  const trimmed = checkPostgresUrl(url)
  if (new URL(trimmed).pathname.length <= 1 && !process.env.PGDATABASE) {
    throw new InvalidOptionsError(
      `The URL ${redactUrl(url)} names no database, and pg would use the one named after the user. Write the database to migrate at its end: postgres://user@host:5432/database.`,
    )
  }
  if (options.lockTimeout !== undefined) checkTableLockTimeout(options.lockTimeout)
  const lock = { lock: options.lock as PostgresLockKind | undefined, lockTimeout: options.lockTimeout }
  if (options.schema === undefined) return postgresDriver({ connectionString: trimmed, ...lock })
  const schema = assertPlainIdentifier('schema', options.schema)
  return postgresDriver({ connectionString: withSearchPath(trimmed, schema), schema, ...lock })
}

/** The CLI's name for the driver's `lockTimeout`, so that the message names what the user wrote. */
function checkTableLockTimeout(value: string): void {
  try {
    timeoutSetting('lockTimeout', value)
  } catch {
    throw new InvalidOptionsError(
      `The table lock timeout (--table-lock-timeout, MIG_TABLE_LOCK_TIMEOUT or "tableLockTimeout" in the config) must be a PostgreSQL duration such as 5s or 10min, or a number of milliseconds (0 turns it off), not ${JSON.stringify(value)}.`,
    )
  }
}

/** The URL, trimmed, once it is a `postgres://` or `postgresql://` URL that parses and whose password is percent-encoded. */
export function checkPostgresUrl(url: string): string {
  const trimmed = url.trim()
  checkCredentials(trimmed)
  if (!/^postgres(ql)?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    throw new InvalidOptionsError(
      `The URL ${redactUrl(url)} is not a valid PostgreSQL URL. Write it as postgres://user:password@host:5432/database, with special characters in the password percent-encoded.`,
    )
  }
  return trimmed
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
