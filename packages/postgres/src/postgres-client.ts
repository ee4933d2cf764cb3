import { DatabaseError } from '@mig/core'
import pg from 'pg'
import { type ConnectionUrl, withoutSsl } from './postgres-connection-url.js'
import { connectionError } from './postgres-error.js'

/** The part of a `pg` client (a `pg.Client` or a client checked out of a `pg.Pool`) mig uses. */
export interface PostgresClient {
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the query returns; callers name their row type.
  query(text: string, values?: unknown[]): Promise<{ rows: any[]; command?: string }>
  /** `query_timeout`: the promise rejects after that many milliseconds without an answer (the connection is then unusable). */
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  query(config: { text: string; values?: unknown[]; query_timeout?: number }): Promise<{ rows: any[]; command?: string }>
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
  /** The settings the pool opens its clients with; mig opens a client of its own with them for a check the pool has no client for. */
  readonly options?: pg.ClientConfig & { readonly max?: number }
}

/** One connection that mig holds for one operation. */
export interface ClientLease {
  readonly client: PostgresClient
  /** True once the connection reported an error or ended; such a connection is never reused. */
  readonly broken: boolean
  /**
   * The first error the connection reported, which says why it broke (the server's own reason,
   * such as an idle timeout, when it sent one); later queries fail only with "not queryable".
   */
  readonly failure?: Error
  /** Gives the connection back: ends it, or returns it to (or, with `destroy`, drops it from) the pool. */
  release(options?: { destroy?: boolean }): Promise<void>
}

/** How long to wait for a connection, and what cancels the wait. */
export interface ConnectionWait {
  readonly timeoutMs: number
  readonly signal?: AbortSignal
}

/** How long a check beside a run waits for a pooled client before it opens a connection of its own. */
const CHECK_BORROW_MS = 1_000

/** How soon TCP keepalive starts probing an idle connection; libuv then probes every second, ten times. */
const KEEPALIVE_DELAY_MS = 10_000
/** How long ending a connection may take before its socket is destroyed (a peer that stopped answering never says goodbye). */
const END_WITHIN_MS = 2_000

/** Opens a client of mig's own, named `mig` in `pg_stat_activity` so a waiting runner can say who holds the lock. */
export async function openClient(url: ConnectionUrl, connectTimeoutMs: number): Promise<ClientLease> {
  const { connectionString, sslMode } = url
  // pg ignores connect_timeout in the URL, so without this an unreachable host hangs for minutes.
  // Without an initial delay, keepalive would wait the OS default of two hours before its first probe.
  const client = new pg.Client({
    connectionString,
    application_name: 'mig',
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    connectionTimeoutMillis: connectTimeoutMs,
  })
  const lease = watch(client, () => endWithin(client, END_WITHIN_MS))
  const started = Date.now()
  try {
    await client.connect()
  } catch (error) {
    // libpq's prefer and allow connect without SSL to a server that has none; pg gives up instead.
    if ((sslMode === 'prefer' || sslMode === 'allow') && /does not support SSL/i.test((error as Error).message)) {
      return openClient({ ...url, connectionString: withoutSsl(connectionString), sslMode: 'disable' }, connectTimeoutMs)
    }
    // pg has already closed the socket of a connection that failed to open. It marks a timeout
    // only by its message, so a failure that took the whole timeout is taken to be one.
    const timedOutMs = Date.now() - started >= connectTimeoutMs ? connectTimeoutMs : undefined
    throw connectionError(error, url.given, timedOutMs)
  }
  return lease
}

/**
 * Checks a client out of the application's pool, waiting at most `wait.timeoutMs`: while the
 * application holds every client, `pool.connect()` would wait forever. A client that arrives
 * after mig gave up is returned at once.
 */
export async function borrowClient(pool: PostgresPool, wait: ConnectionWait): Promise<ClientLease> {
  wait.signal?.throwIfAborted()
  let abandoned = false
  let timer: NodeJS.Timeout | undefined
  let onAbort = () => {}
  const givenUp = new Promise<never>((_, reject) => {
    const giveUp = (reason: unknown) => {
      abandoned = true
      reject(reason)
    }
    timer = setTimeout(
      () =>
        giveUp(
          new DatabaseError(
            `The pool had no free client for ${wait.timeoutMs} ms; mig needs two (one for migrations, one for the lock). Raise the pool's max, or run mig while the application holds fewer clients.`,
          ),
        ),
      wait.timeoutMs,
    )
    onAbort = () => giveUp(wait.signal?.reason)
    wait.signal?.addEventListener('abort', onAbort, { once: true })
  })
  const checkout = pool.connect().then(
    (client) => {
      if (abandoned) client.release()
      return client
    },
    (error: unknown) => {
      throw connectionError(error, undefined)
    },
  )
  try {
    const client = await Promise.race([checkout, givenUp])
    return watch(client, (destroy) => client.release(destroy))
  } finally {
    clearTimeout(timer)
    wait.signal?.removeEventListener('abort', onAbort)
  }
}

/**
 * A client for a short check beside a run that may hold every client of the pool (the lock's,
 * and the migrations' one that broke): borrowed when the pool has one free within a second,
 * else a connection of mig's own with the pool's settings, ended on release. A pool that
 * shows no settings is only borrowed from.
 */
export async function borrowCheckClient(pool: PostgresPool, wait: ConnectionWait): Promise<ClientLease> {
  const { options } = pool
  if (!options) return borrowClient(pool, wait)
  try {
    return await borrowClient(pool, { ...wait, timeoutMs: Math.min(wait.timeoutMs, CHECK_BORROW_MS) })
  } catch (error) {
    if (wait.signal?.aborted) throw error
  }
  const client = new pg.Client({ ...options, connectionTimeoutMillis: wait.timeoutMs })
  const lease = watch(client, () => endWithin(client, END_WITHIN_MS))
  try {
    await client.connect()
  } catch (error) {
    throw connectionError(error, undefined)
  }
  return lease
}

function watch(client: PostgresClient, release: (destroy: boolean) => unknown): ClientLease {
  let broken = false
  let failure: Error | undefined
  let released = false
  // Without a listener, an error on an idle connection (the server restarting, an admin
  // terminating the session) would crash the process.
  const onError = (error: Error) => {
    broken = true
    failure ??= error
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
    get failure() {
      return failure
    },
    async release(options = {}) {
      if (released) return
      released = true
      // A pool puts its own error listener back on a client it takes in, ended or not.
      await release(broken || options.destroy === true)
      client.removeListener('error', onError)
      client.removeListener('end', onEnd)
    },
  }
}

async function endWithin(client: pg.Client, milliseconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      // pg keeps its socket private; destroying it is the only way out of a silent connection.
      ;(client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
      resolve()
    }, milliseconds)
  })
  try {
    await Promise.race([client.end().catch(() => {}), late])
  } finally {
    clearTimeout(timer)
  }
}

interface CancellableClient {
  /** pg 8's own reader of the running query; its `activeQuery` getter prints a deprecation warning. */
  _getActiveQuery?(): unknown
  readonly processID?: number
  readonly secretKey?: number
  readonly connectionParameters?: { readonly host?: string; readonly port?: number; readonly ssl?: unknown }
}

/** pg's protocol connection, as its own `Client.cancel` uses it. */
interface CancelConnection {
  on(event: 'error' | 'connect', listener: () => void): void
  connect(port: number | string, host?: string): void
  cancel(processID: number, secretKey: number | undefined): void
}

/**
 * Sends PostgreSQL's cancel request for the statement `client` is running (through PgBouncer
 * too, which forwards it), on a connection of its own, as pg does. The statement then fails with
 * SQLSTATE 57014. Does nothing when no statement is running. Never throws.
 */
export function cancelRunningQuery(client: PostgresClient): void {
  const target = client as unknown as CancellableClient
  if (!target._getActiveQuery?.() || !target.connectionParameters || target.processID === undefined) return
  const { host = 'localhost', port = 5432, ssl } = target.connectionParameters
  const { processID, secretKey } = target
  const connection = (new pg.Client({ host, port, ssl: ssl as pg.ClientConfig['ssl'] }) as unknown as { connection: CancelConnection })
    .connection
  connection.on('error', () => {})
  connection.on('connect', () => connection.cancel(processID, secretKey))
  try {
    if (host.startsWith('/')) connection.connect(`${host}/.s.PGSQL.${port}`)
    else connection.connect(port, host)
  } catch {
    // The server cannot be reached: there is nothing to cancel.
  }
}
