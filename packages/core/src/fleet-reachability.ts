import type { Driver } from './driver.js'
import { DatabaseError, MigError } from './errors.js'
import { LockLostError } from './run-errors.js'

/**
 * Whether a target failed because its database cannot be reached, rather than because of what
 * it holds. Only an error that could come from the connection (a database error, or a failure
 * caused by one, a lost lock, or something unexpected) is checked, by opening a new session: when
 * that fails too, the target is unreachable and worth retrying. Asking the driver keeps core free
 * of each client library's list of network error codes.
 */
export async function isUnreachable(driver: Driver | undefined, error: unknown): Promise<boolean> {
  if (driver === undefined || !mayBeConnectionError(error)) return false
  try {
    const session = await driver.connect()
    await session.close()
    return false
  } catch {
    return true
  }
}

function mayBeConnectionError(error: unknown): boolean {
  if (error instanceof DatabaseError || error instanceof LockLostError) return true
  if (error instanceof MigError) return error.cause instanceof DatabaseError
  return true
}
