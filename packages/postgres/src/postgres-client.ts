import pg from 'pg'
import { connectionError } from './postgres-error.js'

/** The part of a `pg` client (a `pg.Client` or a client checked out of a `pg.Pool`) mig uses. */
export interface PostgresClient {
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the query returns; callers name their row type.
  query(text: string, values?: unknown[]): Promise<{ rows: any[]; command?: string }>
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'end', listener: () => void): unknown
  removeListener(event: 'error', listener: (error: Error) => void): unknown
  removeListener(event: 'end', listener: () => void): unknown
}

/** A client checked out of a pool; `release(true)` destroys it instead of returning it. */
export interface PostgresPoolClient extends PostgresClient {
  release(destroy?: boolean | Error): void
}

/** The part of a `pg.Pool` mig uses. mig checks clients out and back in; it never ends the pool. */
export interface PostgresPool {
  connect(): Promise<PostgresPoolClient>
  readonly options?: { readonly max?: number }
}

/** One connection that mig holds for one operation. */
export interface ClientLease {
  readonly client: PostgresClient
  /** True once the connection reported an error or ended; such a connection is never reused. */
  readonly broken: boolean
  /** Gives the connection back: ends it, or returns it to (or, with `destroy`, drops it from) the pool. */
  release(options?: { destroy?: boolean }): Promise<void>
}

/** Opens a client of mig's own, named `mig` in `pg_stat_activity` so a waiting runner can say who holds the lock. */
export async function openClient(connectionString: string): Promise<ClientLease> {
  const client = new pg.Client({ connectionString, application_name: 'mig', keepAlive: true })
  const lease = watch(client, async () => {
    await client.end().catch(() => {})
    return false
  })
  try {
    await client.connect()
  } catch (error) {
    // pg has already closed the socket of a connection that failed to open.
    throw connectionError(error, connectionString)
  }
  return lease
}

export async function borrowClient(pool: PostgresPool): Promise<ClientLease> {
  let client: PostgresPoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    throw connectionError(error, undefined)
  }
  return watch(client, async (destroy) => {
    client.release(destroy)
    return !destroy
  })
}

/** `release` says whether the client lives on in a pool, whose listeners must then be removed. */
function watch(client: PostgresClient, release: (destroy: boolean) => Promise<boolean>): ClientLease {
  let broken = false
  let released = false
  // Without a listener, an error on an idle connection (the server restarting, an admin
  // terminating the session) would crash the process.
  const onError = () => {
    broken = true
  }
  const onEnd = () => {
    broken = true
  }
  client.on('error', onError)
  client.on('end', onEnd)
  return {
    client,
    get broken() {
      return broken
    },
    async release(options = {}) {
      if (released) return
      released = true
      if (await release(broken || options.destroy === true)) {
        client.removeListener('error', onError)
        client.removeListener('end', onEnd)
      }
    },
  }
}
