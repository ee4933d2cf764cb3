import { createHash } from 'node:crypto'
import { type AcquireLockOptions, type LockHolder, LockTimeoutError } from '@mig/core'
import type { PostgresClient } from './postgres-client.js'
import { databaseError } from './postgres-error.js'

const FIRST_POLL_MS = 50
const LONGEST_POLL_MS = 1_000
const FIND_HOLDER_EVERY_MS = 2_000

/**
 * The advisory lock key of a history table: the first 8 bytes of SHA-256 of `mig:schema.table`,
 * as a signed bigint in decimal. Every runner of every mig version derives the same key.
 */
export function advisoryLockKey(schema: string, table: string): string {
  return createHash('sha256').update(`mig:${schema}.${table}`).digest().readBigInt64BE(0).toString()
}

/**
 * Takes the session-level advisory lock `key` on `client`, polling `pg_try_advisory_lock` with
 * backoff rather than blocking in `pg_advisory_lock`, so the wait can be timed out, cancelled
 * and reported. Each poll is a single statement in autocommit: the client is left in no
 * transaction and holds no snapshot, which `CREATE INDEX CONCURRENTLY` would otherwise wait for.
 * `deadline` is when the wait began plus `options.timeoutMs`.
 */
export async function acquireAdvisoryLock(
  client: PostgresClient,
  key: string,
  options: AcquireLockOptions,
  deadline = Date.now() + options.timeoutMs,
): Promise<void> {
  let pollMs = FIRST_POLL_MS
  let holder: LockHolder | undefined
  let holderFoundAt = Number.NEGATIVE_INFINITY
  for (;;) {
    options.signal?.throwIfAborted()
    if (await tryLock(client, key)) return
    if (Date.now() >= deadline) throw new LockTimeoutError(options.timeoutMs, await findHolder(client, key))
    // onWait hears of every poll, but the holder is looked up only now and then.
    if (Date.now() - holderFoundAt >= FIND_HOLDER_EVERY_MS) {
      holder = await findHolder(client, key)
      holderFoundAt = Date.now()
    }
    options.onWait(holder)
    await sleep(Math.min(pollMs, deadline - Date.now()), options.signal)
    pollMs = Math.min(pollMs * 2, LONGEST_POLL_MS)
  }
}

/** Returns false when the lock was not held, or the connection is gone (the lock went with it). */
export async function releaseAdvisoryLock(client: PostgresClient, key: string): Promise<boolean> {
  try {
    const { rows } = await client.query('SELECT pg_catalog.pg_advisory_unlock($1::bigint) AS released', [key])
    return rows[0]?.released === true
  } catch {
    return false
  }
}

async function tryLock(client: PostgresClient, key: string): Promise<boolean> {
  try {
    const { rows } = await client.query('SELECT pg_catalog.pg_try_advisory_lock($1::bigint) AS locked', [key])
    return rows[0]?.locked === true
  } catch (error) {
    throw databaseError(error)
  }
}

interface HolderRow {
  pid: number | null
  application_name: string | null
  client_address: string | null
  client_hostname: string | null
  since: Date | null
}

/**
 * Who holds the lock, from `pg_locks` and `pg_stat_activity`. A bigint advisory key is stored
 * as its high and low 32 bits in `classid` and `objid`, with `objsubid` 1. The holder's
 * `state_change` is when it last finished a statement: for a mig runner's idle lock connection,
 * the moment it took the lock. A role that may not see other sessions gets the pid only.
 */
async function findHolder(client: PostgresClient, key: string): Promise<LockHolder | undefined> {
  const value = BigInt.asUintN(64, BigInt(key))
  try {
    const { rows } = await client.query(
      `SELECT l.pid, a.application_name, host(a.client_addr) AS client_address, a.client_hostname,
              COALESCE(a.state_change, a.backend_start) AS since
         FROM pg_catalog.pg_locks l
         LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.classid = $1::oid AND l.objid = $2::oid
          AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
        LIMIT 1`,
      [(value >> 32n).toString(), (value & 0xffffffffn).toString()],
    )
    const row = rows[0] as HolderRow | undefined
    if (!row) return undefined
    return {
      pid: row.pid ?? undefined,
      applicationName: row.application_name || undefined,
      clientAddress: row.client_address ?? undefined,
      host: row.client_hostname ?? undefined,
      since: row.since ?? undefined,
    }
  } catch {
    return undefined
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // An abort during the poll before this sleep has already fired its event.
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
