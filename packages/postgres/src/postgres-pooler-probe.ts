import { UnsupportedFeatureError } from '@mig/core'
import type { PostgresClient } from './postgres-client.js'
import { databaseError } from './postgres-error.js'
import type { LockConnection } from './postgres-lock-connection.js'

/** What mig learns about its two connections before it takes the lock. */
export interface ConnectionFacts {
  /** Both connections reached one server process: a pooler in transaction (or statement) mode is in between. */
  readonly transactionPooled: boolean
  /** The server sees the lock connection's own socket (the same TCP port, or a Unix socket): nothing is in between. */
  readonly direct: boolean
  /** `server_version_num`: 150004 for 15.4. */
  readonly serverVersion: number
  /** The session's `lock_timeout` before mig sets any: the role's, the database's or the server's ('0' for none). */
  readonly serverLockTimeout: string
}

/**
 * Asks each connection for its server process, and the server for the lock connection's client
 * port. Only a pooler in transaction or statement mode hands one server process to two connected
 * clients (measured through PgBouncer: 20 of 20 in those modes, 0 of 20 in session mode), so a
 * shared pid proves one; different pids do not prove a direct connection, because a busy pool
 * hands out another process (measured: 8 runners at once through transaction pooling). What
 * proves a direct connection is the server seeing mig's own socket: the same port, or a Unix
 * socket; behind PgBouncer in any mode, or any proxy, it sees another. Behind a pooler a
 * transaction is tried too: statement mode refuses it, and mig cannot run there at all.
 */
export async function probeConnections(session: PostgresClient, lock: LockConnection): Promise<ConnectionFacts> {
  let first: { pid: number; version: number; lock_timeout: string } | undefined
  try {
    first = (
      await session.query(
        "SELECT pg_catalog.pg_backend_pid() AS pid, pg_catalog.current_setting('server_version_num')::int AS version, pg_catalog.current_setting('lock_timeout') AS lock_timeout",
      )
    ).rows[0]
  } catch (error) {
    throw databaseError(error)
  }
  const [second] = await lock.query('SELECT pg_catalog.pg_backend_pid() AS pid, pg_catalog.inet_client_port() AS port')
  // pg keeps its socket private; its local port is what the server reports for a direct connection.
  const localPort = (lock.lease.client as { connection?: { stream?: { localPort?: number } } }).connection?.stream?.localPort
  const direct = first?.pid !== second?.pid && (second?.port ?? undefined) === localPort
  const transactionPooled = first?.pid === second?.pid || (!direct && (await serverProcessChanges(session, lock, first?.pid, second?.pid)))
  if (transactionPooled) {
    await lock.query('BEGIN; COMMIT').catch((error: unknown) => {
      throw isStatementPooling(error) ? statementPoolingError() : error
    })
  }
  return { transactionPooled, direct, serverVersion: first?.version ?? 0, serverLockTimeout: first?.lock_timeout ?? '0' }
}

/** How many more times a connection behind something is asked for its server process. */
const PROCESS_CHECKS = 3

/**
 * A busy transaction pool hands each transaction whichever server process is free, so two
 * connections' processes differing proves nothing (measured: 15 of 20 probes through PgBouncer
 * with an application at work). A session pooler or a proxy keeps one process per connection;
 * a connection that meets another process, or the other connection's, is transaction-pooled.
 */
async function serverProcessChanges(session: PostgresClient, lock: LockConnection, sessionPid?: number, lockPid?: number) {
  for (let check = 0; check < PROCESS_CHECKS; check++) {
    let pid: number | undefined
    try {
      pid = (await session.query('SELECT pg_catalog.pg_backend_pid() AS pid')).rows[0]?.pid
    } catch (error) {
      throw databaseError(error)
    }
    const [other] = await lock.query('SELECT pg_catalog.pg_backend_pid() AS pid')
    if (pid !== sessionPid || other?.pid !== lockPid || pid === other?.pid) return true
  }
  return false
}

/** PgBouncer's answer to BEGIN in statement mode: `FATAL 08P01 transaction blocks not allowed in statement pooling mode`. */
export function isStatementPooling(error: unknown): boolean {
  return /statement pooling mode/i.test(String((error as Error)?.message))
}

export function statementPoolingError(): UnsupportedFeatureError {
  return new UnsupportedFeatureError(
    'mig is connected through PgBouncer in statement pooling mode, which refuses transactions (BEGIN); mig runs every migration in one. ' +
      'Point mig at PostgreSQL directly, or at a PgBouncer pool in session or transaction mode (in transaction mode mig uses its lease lock: lock: "lease", --lock lease).',
  )
}

export function advisoryBehindPoolerError(): UnsupportedFeatureError {
  return new UnsupportedFeatureError(
    'mig is connected through a pooler in transaction mode (PgBouncer pool_mode = transaction): its two connections share one server process, ' +
      'so a session advisory lock would not stay with mig. Use the lease lock instead: lock: "lease" (or "auto", the default; --lock lease on the command line).',
  )
}
