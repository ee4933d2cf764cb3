import { type Driver, InvalidOptionsError, redactUrl } from '@mig/core'
import { checkCredentials } from './postgres-connection-url.js'
import { postgresDriver } from './postgres-driver.js'
import type { PostgresSession } from './postgres-session.js'

/** A driver for a URL of the mig CLI: `postgres://…` or `postgresql://…`. */
export function driverFromUrl(
  url: string,
  _options: { baseDirectory: string; access?: 'read-only' | 'read-write' },
): Driver<PostgresSession> {
  const trimmed = url.trim()
  checkCredentials(trimmed)
  if (!/^postgres(ql)?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    throw new InvalidOptionsError(
      `The URL ${redactUrl(url)} is not a valid PostgreSQL URL. Write it as postgres://user:password@host:5432/database, with special characters in the password percent-encoded.`,
    )
  }
  return postgresDriver({ connectionString: trimmed })
}
