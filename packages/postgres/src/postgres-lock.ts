import { createHash } from 'node:crypto'
import type { LockHolder, LockPart, MigrationLock } from '@mig/core'
import type { ClientLease, ConnectionWait, PostgresClient } from './postgres-client.js'
import { databaseError } from './postgres-error.js'

/**
 * The advisory lock key of a history table: the first 8 bytes of SHA-256 of `mig:schema.table`,
 * as a signed bigint in decimal. Every runner of every mig version derives the same key.
 */
export function advisoryLockKey(schema: string, table: string): string {
  return createHash('sha256').update(`mig:${schema}.${table}`).digest().readBigInt64BE(0).toString()
}

/**
 * The migration lock: a session-level advisory lock on a connection of its own, which only ever
 * runs the lock's own single statements. The lock therefore survives whatever a migration does
 * to its session (`DISCARD ALL`, `pg_advisory_unlock_all()`), and its connection never holds the
 * transaction or snapshot that `CREATE INDEX CONCURRENTLY` would wait for. Each try is one
 * `pg_try_advisory_lock` in autocommit.
 */
export function postgresLockPart(openLockClient: (wait: ConnectionWait) => Promise<ClientLease>, defaultSchema: string): LockPart {
  return {
    async open(_session, table, wait) {
      const lease = await openLockClient(wait)
      return new AdvisoryLock(lease, advisoryLockKey(table.schema ?? defaultSchema, table.name))
    },
  }
}

class AdvisoryLock implements MigrationLock {
  private held = false

  constructor(
    private readonly lease: ClientLease,
    private readonly key: string,
  ) {}

  async tryAcquire(): Promise<boolean> {
    try {
      const { rows } = await this.lease.client.query('SELECT pg_catalog.pg_try_advisory_lock($1::bigint) AS locked', [this.key])
      this.held = rows[0]?.locked === true
      return this.held
    } catch (error) {
      throw databaseError(error)
    }
  }

  describeHolder(): Promise<LockHolder | undefined> {
    return findHolder(this.lease.client, this.key)
  }

  isHeld(): boolean {
    return !this.lease.broken
  }

  async release(): Promise<void> {
    let released = false
    if (this.held) {
      this.held = false
      try {
        const { rows } = await this.lease.client.query('SELECT pg_catalog.pg_advisory_unlock($1::bigint) AS released', [this.key])
        released = rows[0]?.released === true
      } catch {
        // The connection is gone, and the lock went with it.
      }
    }
    // A connection whose lock did not come back cleanly is dropped rather than returned to a pool.
    await this.lease.release({ destroy: !released })
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
