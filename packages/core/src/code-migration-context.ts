import type { DriverSession } from './driver.js'
import type { MigrationContext } from './migration.js'

/** The SQL of a code migration's `run` or `query` call that failed, by its error: the failure names it. */
const failedCalls = new WeakMap<object, string>()

/** The SQL of the context call that failed with `error`; undefined when no call did. */
export function failedCallOf(error: unknown): string | undefined {
  return error instanceof Object ? failedCalls.get(error) : undefined
}

function sent<T>(sql: string, call: Promise<T>): Promise<T> {
  return call.catch((error: unknown) => {
    if (error instanceof Object) failedCalls.set(error, sql)
    throw error
  })
}

export interface CodeMigrationContextOptions {
  readonly dialect: string
  readonly file: string
  readonly cancelSignal: AbortSignal | undefined
  /** Called with each call's SQL before it is sent. */
  readonly announce: (sql: string) => void
}

/**
 * A code migration's context, on the migration's session: every call is announced before its
 * SQL is sent. Once the run is cancelled, a call sends nothing and throws `refusal`, so the
 * migration stops before its next statement even when none is running on the server to cancel.
 */
export function codeMigrationContext(session: DriverSession, options: CodeMigrationContextOptions): MigrationContext & { refusal?: Error } {
  const context: MigrationContext & { refusal?: Error } = {
    dialect: options.dialect,
    run: async (sql) => {
      before(sql)
      return sent(sql, session.runScript(sql))
    },
    query: async (sql, params) => {
      before(sql)
      return sent(sql, session.query(sql, params))
    },
  }
  const before = (sql: string) => {
    if (options.cancelSignal?.aborted) {
      context.refusal ??= new Error(`${options.file} was cancelled: its next statement was not run`)
      throw context.refusal
    }
    options.announce(sql)
  }
  return context
}
