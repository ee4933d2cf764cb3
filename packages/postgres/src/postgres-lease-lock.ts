import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { DriverSession, LockHolder, MigrationLock } from '@mig/core'
import { DatabaseError } from '@mig/core'
import { quotePostgresIdentifier } from './postgres-identifier.js'
import { type AdvisoryKey, findAdvisoryHolder } from './postgres-lock.js'
import type { LockConnection } from './postgres-lock-connection.js'

/** The lock table beside a history table: its quoted name, and its parts as text for catalog lookups. */
export interface LeaseTable {
  readonly schema: string
  readonly name: string
  readonly quoted: string
}

export function leaseTableOf(schema: string, historyName: string): LeaseTable {
  // PostgreSQL cuts names at 63 bytes; a cut suffix would name the history table itself.
  const name = `${historyName.slice(0, 58)}_lock`
  return { schema, name, quoted: `${quotePostgresIdentifier(schema)}.${quotePostgresIdentifier(name)}` }
}

interface LeaseRow {
  host: string | null
  pid: number | null
  application_name: string | null
  acquired_at: Date | null
  expires_at: Date | null
}

/**
 * A lock that does not depend on the session: one row in `<history table>_lock` with an owner, a
 * fencing token that grows with every takeover, and an expiry that a heartbeat on the lock's own
 * connection renews every third of the lease. It works through any pooler that allows
 * transactions, because each of its statements stands alone.
 *
 * - Taking it is one UPDATE of an expired row, locked `FOR UPDATE SKIP LOCKED`, so it never
 *   waits. A holder that died stops renewing, and its lease ends within `leaseMs`.
 * - `fence()` runs first in each migration's transaction: `FOR KEY SHARE` on the row proves the
 *   token is still this runner's, and until that transaction ends no takeover can lock the row,
 *   so a holder whose lease expired can never commit (measured: the takeover skips the row
 *   while the fence holds it, and succeeds after the commit). `FOR KEY SHARE` does not block
 *   the heartbeat's UPDATE, which changes no key.
 * - A runner on a direct connection that chose the session advisory lock checks for a live
 *   lease, and this lock checks for a session advisory lock, so runners of both kinds on one
 *   database still exclude each other.
 */
export class LeaseLock implements MigrationLock {
  private readonly owner = randomUUID()
  private token: string | undefined
  private tableReady = false

  constructor(
    private readonly connection: LockConnection,
    private readonly table: LeaseTable,
    private readonly key: AdvisoryKey,
  ) {}

  async tryAcquire(): Promise<boolean> {
    if (!this.tableReady) await this.createTable()
    const rows = await this.connection.query(
      `UPDATE ${this.table.quoted}
          SET owner = $1, token = token + 1, expires_at = pg_catalog.clock_timestamp() + $2::interval,
              host = $3, pid = $4, application_name = 'mig', acquired_at = pg_catalog.clock_timestamp()
        WHERE id = (SELECT id FROM ${this.table.quoted}
                     WHERE id = 1 AND expires_at < pg_catalog.clock_timestamp() FOR UPDATE SKIP LOCKED)
        RETURNING token::text AS token`,
      [this.owner, this.interval(), hostname(), process.pid],
    )
    const token = rows[0]?.token as string | undefined
    if (token === undefined) return false
    this.token = token
    if (await findAdvisoryHolder(this.connection, this.key, { excludeOwnBackend: true })) {
      await this.giveBack()
      return false
    }
    this.connection.heartbeat(async () => {
      const renewed = await this.connection.query(
        `UPDATE ${this.table.quoted} SET expires_at = pg_catalog.clock_timestamp() + $3::interval
          WHERE id = 1 AND owner = $1 AND token = $2::bigint RETURNING 1`,
        [this.owner, token, this.interval()],
      )
      return renewed.length === 1
    })
    return true
  }

  async describeHolder(): Promise<LockHolder | undefined> {
    const lease = await describeLease(this.connection, this.table)
    return lease ?? (await findAdvisoryHolder(this.connection, this.key, { excludeOwnBackend: true, staleAfterMs: this.connection.ttlMs }))
  }

  isHeld(): boolean {
    return this.token !== undefined && this.connection.alive
  }

  async fence(session: DriverSession): Promise<boolean> {
    if (this.token === undefined) return false
    const rows = await session.query(
      `SELECT 1 AS held FROM ${this.table.quoted} WHERE id = 1 AND owner = $1 AND token = $2::bigint FOR KEY SHARE`,
      [this.owner, this.token],
    )
    return rows.length === 1
  }

  async release(): Promise<void> {
    let given = this.token === undefined
    try {
      if (!given) given = await this.giveBack()
    } finally {
      // A lease that could not be given back ends on its own within leaseMs.
      await this.connection.close({ destroy: !given })
    }
  }

  private async giveBack(): Promise<boolean> {
    const token = this.token
    this.token = undefined
    try {
      await this.connection.query(
        `UPDATE ${this.table.quoted} SET expires_at = '-infinity', owner = '' WHERE id = 1 AND owner = $1 AND token = $2::bigint`,
        [this.owner, token],
      )
      return true
    } catch {
      return false
    }
  }

  /**
   * Creates the table and its one row if missing: one statement, so it works through any pooler.
   * Concurrent `CREATE TABLE IF NOT EXISTS` can fail on the type's unique index, so runners
   * queue on a transaction-scoped advisory lock first.
   */
  private async createTable(): Promise<void> {
    const literal = (text: string) => `'${text.replace(/'/g, "''")}'`
    await this.connection.query(
      `DO $mig$
BEGIN
  PERFORM pg_catalog.pg_advisory_xact_lock(${BigInt(this.key.value)});
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${literal(this.table.schema)}) THEN
    CREATE SCHEMA ${quotePostgresIdentifier(this.table.schema)};
  END IF;
  IF pg_catalog.to_regclass(${literal(this.table.quoted)}) IS NULL THEN
    CREATE TABLE ${this.table.quoted} (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      owner TEXT NOT NULL,
      token BIGINT NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL,
      host TEXT,
      pid INTEGER,
      application_name TEXT,
      acquired_at TIMESTAMPTZ
    );
  END IF;
  INSERT INTO ${this.table.quoted} (id, owner, token, expires_at) VALUES (1, '', 0, '-infinity') ON CONFLICT (id) DO NOTHING;
END
$mig$`,
      [],
      Math.max(this.connection.heartbeatMs, 10_000),
    )
    this.tableReady = true
  }

  private interval(): string {
    return `${this.connection.ttlMs} milliseconds`
  }
}

/** The live lease's holder, or undefined when it is free or the table does not exist yet. */
export async function describeLease(connection: LockConnection, table: LeaseTable): Promise<LockHolder | undefined> {
  // Asked first, so a database without the table (every direct connection) logs no error.
  const [found] = await connection.query('SELECT pg_catalog.to_regclass($1) IS NOT NULL AS found', [table.quoted])
  if (found?.found !== true) return undefined
  try {
    const rows: LeaseRow[] = await connection.query(
      `SELECT host, pid, application_name, acquired_at, expires_at FROM ${table.quoted} WHERE id = 1 AND expires_at > pg_catalog.clock_timestamp()`,
    )
    const row = rows[0]
    if (!row) return undefined
    return {
      pid: row.pid ?? undefined,
      host: row.host ?? undefined,
      applicationName: row.application_name ?? undefined,
      since: row.acquired_at ?? undefined,
      expiresAt: row.expires_at ?? undefined,
    }
  } catch (error) {
    if (error instanceof DatabaseError && error.sqlState === '42P01') return undefined
    throw error
  }
}
