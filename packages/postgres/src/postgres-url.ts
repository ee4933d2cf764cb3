import { type Driver, InvalidOptionsError, redactUrl } from '@mig/core'
import { postgresDriver } from './postgres-driver.js'
import type { PostgresLockKind } from './postgres-lock.js'
import type { PostgresSession } from './postgres-session.js'

/**
 * A driver for a URL of the mig CLI: `postgres://…` or `postgresql://…`, with the CLI's
 * `--lock` and `--table-lock-timeout`.
 */
export function driverFromUrl(
  url: string,
  options: { baseDirectory: string; lock?: string; lockTimeout?: string },
): Driver<PostgresSession> {
  const trimmed = url.trim()
  if (!/^postgres(ql)?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    throw new InvalidOptionsError(
      `The URL ${redactUrl(url)} is not a valid PostgreSQL URL. Write it as postgres://user:password@host:5432/database, with special characters in the password percent-encoded.`,
    )
  }
  return postgresDriver({ connectionString: trimmed, lock: options.lock as PostgresLockKind | undefined, lockTimeout: options.lockTimeout })
}
