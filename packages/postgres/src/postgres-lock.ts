import { createHash } from 'node:crypto'
import type { LockHolder, LockPart, MigrationLock } from '@mig/core'
import type { ClientLease, ConnectionWait } from './postgres-client.js'
import { describeLease, LeaseLock, type LeaseTable, leaseTableOf } from './postgres-lease-lock.js'
import { LockConnection } from './postgres-lock-connection.js'
import { advisoryBehindPoolerError, probeConnections } from './postgres-pooler-probe.js'
import type { PostgresSession } from './postgres-session.js'
import { clientCheckSql } from './postgres-timeouts.js'

/**
 * Which migration lock: `advisory` (a session advisory lock; needs a direct connection or a
 * pooler in session mode), `lease` (a row in a lock table; works through any pooler that allows
 * transactions), or `auto`: the advisory lock on a connection proven direct, the lease through
 * anything in between (see {@link probeConnections}).
 */
export type PostgresLockKind = 'auto' | 'advisory' | 'lease'

export interface PostgresLockOptions {
  readonly kind: PostgresLockKind
  /** How long a runner that vanished without a word keeps the lock. */
  readonly leaseMs: number
}

/**
 * The advisory lock key of a history table: the first 8 bytes of SHA-256 of `mig:schema.table`,
 * as a signed bigint in decimal. Every runner of every mig version derives the same key.
 */
export function advisoryLockKey(schema: string, table: string): string {
  return createHash('sha256').update(`mig:${schema}.${table}`).digest().readBigInt64BE(0).toString()
}

/** A bigint advisory key, and how `pg_locks` shows it: high and low 32 bits in `classid` and `objid`. */
export interface AdvisoryKey {
  readonly value: string
  readonly classid: string
  readonly objid: string
}

function advisoryKey(schema: string, table: string): AdvisoryKey {
  const value = advisoryLockKey(schema, table)
  const unsigned = BigInt.asUintN(64, BigInt(value))
  return { value, classid: (unsigned >> 32n).toString(), objid: (unsigned & 0xffffffffn).toString() }
}

/**
 * The migration lock lives on a connection of its own, which only ever runs the lock's own
 * single statements: it survives whatever a migration does to its session, and never holds the
 * transaction or snapshot that `CREATE INDEX CONCURRENTLY` would wait for. On a connection that
 * is not transaction-pooled, both connections are kept alive on servers that close idle
 * sessions (see {@link keepSessionsAlive}).
 */
export function postgresLockPart(
  openLockClient: (wait: ConnectionWait) => Promise<ClientLease>,
  defaultSchema: string,
  options: PostgresLockOptions,
): LockPart<PostgresSession> {
  return {
    async open(session, table, wait) {
      const connection = new LockConnection(await openLockClient(wait), options.leaseMs)
      try {
        const facts = await probeConnections(session.client, connection)
        if (facts.transactionPooled && options.kind === 'advisory') throw advisoryBehindPoolerError()
        session.transactionPooled = facts.transactionPooled
        session.serverLockTimeout = facts.serverLockTimeout
        if (!facts.transactionPooled) await keepSessionsAlive(session, connection, facts.serverVersion)
        else session.checkClient = await acceptsClientCheck(session, facts.serverVersion)
        const schema = table.schema ?? defaultSchema
        const key = advisoryKey(schema, table.name)
        const lease = leaseTableOf(schema, table.name)
        const useLease = options.kind === 'lease' || (options.kind === 'auto' && !facts.direct)
        return useLease ? new LeaseLock(connection, lease, key) : new AdvisoryLock(connection, key, lease)
      } catch (error) {
        await connection.close({ destroy: true })
        throw error
      }
    },
  }
}

/**
 * `idle_session_timeout` and `idle_in_transaction_session_timeout` of a managed server would
 * close mig's idle lock connection (and the migrations' session while it waits for the lock).
 * Never through a transaction pooler, where a `SET` stays on a pooled server process for other
 * clients. The lock connection's idle timeout becomes the lease rather than none: the heartbeat
 * keeps it from firing, and a runner whose connection went silent loses its advisory lock within
 * that time instead of the server's TCP keepalive's two hours.
 */
async function keepSessionsAlive(session: PostgresSession, connection: LockConnection, serverVersion: number): Promise<void> {
  const idleSession = serverVersion >= 140_000
  connection.tainted = true
  const settings = (idle: string, inTransaction: string) =>
    [
      idleSession && `pg_catalog.set_config('idle_session_timeout', '${idle}', false)`,
      `pg_catalog.set_config('idle_in_transaction_session_timeout', '${inTransaction}', false)`,
    ]
      .filter(Boolean)
      .join(', ')
  await connection.query(`SELECT ${settings(`${connection.ttlMs}ms`, '0')}`)
  // A migration session dropped mid-transaction rolls back within the lease instead of holding its locks.
  await session.applySetting(`SELECT ${settings('0', `${connection.ttlMs}ms`)}`)
  // A runner killed mid-statement: outside a transaction too, its statement would change the
  // database after the next run was told the migration failed part-way.
  if (serverVersion >= 140_000) await session.applySetting(clientCheckSql('session')).catch(() => undefined)
}

/**
 * Behind a transaction pooler, whether each migration's transaction can set
 * `client_connection_check_interval`. Sent outside a transaction, the local setting does not
 * last: this only asks whether the server accepts it.
 */
async function acceptsClientCheck(session: PostgresSession, serverVersion: number): Promise<boolean> {
  if (serverVersion < 140_000) return false
  return session.client.query(clientCheckSql('local')).then(
    () => true,
    () => false,
  )
}

class AdvisoryLock implements MigrationLock {
  private pid: number | undefined

  constructor(
    private readonly connection: LockConnection,
    private readonly key: AdvisoryKey,
    private readonly lease: LeaseTable,
  ) {}

  async tryAcquire(): Promise<boolean> {
    const [row] = await this.connection.query(
      'SELECT pg_catalog.pg_try_advisory_lock($1::bigint) AS locked, pg_catalog.pg_backend_pid() AS pid',
      [this.key.value],
    )
    if (row?.locked !== true) return false
    // A runner behind a transaction pooler holds the lease instead; both kinds must exclude each other.
    if (await describeLease(this.connection, this.lease)) {
      await this.unlock()
      return false
    }
    this.pid = row.pid as number
    // On a direct connection the server process never changes; another one means a pooler after all.
    this.connection.heartbeat(async () => (await this.connection.query('SELECT pg_catalog.pg_backend_pid() AS pid'))[0]?.pid === this.pid)
    return true
  }

  async describeHolder(): Promise<LockHolder | undefined> {
    // A holder silent for a whole lease was cut off or killed; PostgreSQL 13 cannot end its idle session.
    const holder = await findAdvisoryHolder(this.connection, this.key, { excludeOwnBackend: false, staleAfterMs: this.connection.ttlMs })
    return holder ?? describeLease(this.connection, this.lease)
  }

  isHeld(): boolean {
    return this.pid !== undefined && this.connection.alive
  }

  async release(): Promise<void> {
    let released = this.pid === undefined
    try {
      if (!released) released = await this.unlock()
    } finally {
      this.pid = undefined
      // A connection whose lock did not come back cleanly is dropped rather than returned to a pool.
      await this.connection.close({ destroy: !released })
    }
  }

  private async unlock(): Promise<boolean> {
    try {
      const [row] = await this.connection.query('SELECT pg_catalog.pg_advisory_unlock($1::bigint) AS released', [this.key.value])
      return row?.released === true
    } catch {
      // The connection is gone or silent; the server ends its session, and the lock, within the lease.
      return false
    }
  }
}

interface HolderRow {
  pid: number | null
  application_name: string | null
  client_address: string | null
  client_hostname: string | null
  since: Date | null
  stale: boolean
}

/**
 * Who holds the session advisory lock, from `pg_locks` and `pg_stat_activity`. The holder's
 * `state_change` is when it last finished a statement: for a mig runner's idle lock connection,
 * its last heartbeat. A lock whose session has been idle longer than `staleAfterMs` is renewed
 * by nobody: its runner was cut off from the server on PostgreSQL 13 (which has no
 * `idle_session_timeout`), or it is an older mig's lock left on a pooled server connection; it
 * only ends with that session. A role that may not see other sessions gets the pid only.
 */
export async function findAdvisoryHolder(
  connection: LockConnection,
  key: AdvisoryKey,
  options: { excludeOwnBackend: boolean; staleAfterMs?: number },
): Promise<LockHolder | undefined> {
  try {
    const rows: HolderRow[] = await connection.query(
      `SELECT l.pid, a.application_name, host(a.client_addr) AS client_address, a.client_hostname,
              COALESCE(a.state_change, a.backend_start) AS since,
              COALESCE(a.state = 'idle' AND a.state_change < pg_catalog.clock_timestamp() - $4::interval, false) AS stale
         FROM pg_catalog.pg_locks l
         LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.classid = $1::oid AND l.objid = $2::oid
          AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
          AND NOT ($3 AND l.pid = pg_catalog.pg_backend_pid())
        LIMIT 1`,
      [key.classid, key.objid, options.excludeOwnBackend, `${options.staleAfterMs ?? 0} milliseconds`],
    )
    const row = rows[0]
    if (!row) return undefined
    return {
      pid: row.pid ?? undefined,
      applicationName: row.application_name || undefined,
      clientAddress: row.client_address ?? undefined,
      host: row.client_hostname ?? undefined,
      since: row.since ?? undefined,
      clearBy:
        options.staleAfterMs !== undefined && row.stale && row.pid !== null
          ? `SELECT pg_terminate_backend(${row.pid}); -- ends the server session that holds mig's advisory lock and has not renewed it for over ${Math.round(options.staleAfterMs / 1000)}s (cut off from the server, or a runner given a longer lockLeaseMs)`
          : undefined,
    }
  } catch {
    return undefined
  }
}
