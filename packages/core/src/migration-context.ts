import type { DriverSession } from './driver.js'
import type { MigrationContext } from './migration.js'

/** The SQL of a code migration's `run` or `query` call that failed, by its error: the failure names it. */
const failedCalls = new WeakMap<object, string>()

export function sqlOfFailedCall(error: unknown): string | undefined {
  return error instanceof Object ? failedCalls.get(error) : undefined
}

function sent<T>(sql: string, call: Promise<T>): Promise<T> {
  return call.catch((error: unknown) => {
    if (error instanceof Object) failedCalls.set(error, sql)
    throw error
  })
}

/**
 * A code migration's context on `session`: every call is announced before its SQL is sent. Once
 * `signal` aborts (the run is told to stop now), a call sends nothing and throws its reason, so
 * the migration stops at its next call even when nothing runs on the server to cancel.
 */
export function migrationContext(
  session: DriverSession,
  options: { dialect: string; signal: AbortSignal; announce: (sql: string) => void },
): MigrationContext {
  const { signal, announce } = options
  const before = (sql: string) => {
    signal.throwIfAborted()
    announce(sql)
  }
  return {
    dialect: options.dialect,
    signal,
    run: async (sql) => {
      before(sql)
      return sent(sql, session.runScript(sql))
    },
    query: async (sql, params) => {
      before(sql)
      return sent(sql, session.query(sql, params))
    },
  }
}
