import {
  type AcquireLockOptions,
  DatabaseError,
  type DriverConnection,
  type HistorySql,
  type HistoryTableName,
  type SchemaSnapshot,
  type SqlStatement,
  type StatementRole,
} from '@mig/core'
import type { ClientLease, ConnectionWait } from './postgres-client.js'
import { databaseError } from './postgres-error.js'
import { postgresHistorySql } from './postgres-history-sql.js'
import { buildsIndexConcurrently, invalidIndexes, withInvalidIndexes } from './postgres-invalid-index.js'
import { acquireAdvisoryLock, advisoryLockKey, releaseAdvisoryLock } from './postgres-lock.js'
import { describePostgresSchema } from './postgres-schema.js'
import { classifyPostgresStatement } from './postgres-statement-role.js'
import { splitPostgresStatements } from './postgres-statement-splitter.js'
import { applyTimeouts, resetTimeouts, type TimeoutSetting } from './postgres-timeouts.js'

export interface PostgresConnectionOptions {
  /** Where migrations and history queries run. */
  readonly migration: ClientLease
  /**
   * Opens the separate connection that holds the advisory lock; waiting for a pool's client
   * counts against the lock's timeout and stops when its signal aborts.
   */
  readonly openLockClient: (wait: ConnectionWait) => Promise<ClientLease>
  /** Schema of the history table when the Migrator names none. */
  readonly defaultSchema: string
  readonly timeouts: readonly TimeoutSetting[]
}

/**
 * Migrations run on one connection; the advisory lock lives on a second one, which only ever
 * runs the lock's own single statements. The lock therefore survives whatever a migration does
 * to its session (`DISCARD ALL`, `pg_advisory_unlock_all()`), and its connection never holds the
 * transaction or snapshot that `CREATE INDEX CONCURRENTLY` would wait for.
 *
 * The migration connection is destroyed on close, never returned to a pool: a migration may
 * change its session (`SET`, temporary tables, prepared statements), and that must not leak into
 * the application. The lock's connection only ever ran mig's own statements and is returned.
 */
export class PostgresConnection implements DriverConnection {
  private inTransaction = false
  private lock: { lease: ClientLease; key: string } | undefined

  constructor(private readonly options: PostgresConnectionOptions) {}

  private get client() {
    return this.options.migration.client
  }

  async runScript(sql: string): Promise<void> {
    this.checkLock()
    if (this.inTransaction) {
      await this.send(sql)
      return
    }
    const before = buildsIndexConcurrently(sql) ? await invalidIndexes(this.client).catch(() => undefined) : undefined
    try {
      await this.withSessionTimeouts(() => this.send(sql))
    } catch (error) {
      if (!before || !(error instanceof DatabaseError)) throw error
      const left = await invalidIndexes(this.client).catch(() => [])
      throw withInvalidIndexes(
        error,
        left.filter((name) => !before.includes(name)),
      )
    }
  }

  async query<Row = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const run = async () => {
      try {
        return (await this.client.query(sql, [...params])).rows as Row[]
      } catch (error) {
        throw databaseError(error, sql)
      }
    }
    return this.inTransaction ? run() : this.withSessionTimeouts(run)
  }

  async begin(): Promise<void> {
    this.checkLock()
    await this.send('BEGIN')
    this.inTransaction = true
    try {
      await applyTimeouts(this.client, this.options.timeouts, 'local')
    } catch (error) {
      await this.rollback()
      throw databaseError(error)
    }
  }

  async commit(): Promise<void> {
    // Another runner may hold the lock by now; what this one did must not be kept.
    if (this.lock?.lease.broken) {
      await this.rollback()
      throw lockLostError('The open transaction was rolled back, not committed')
    }
    let command: string | undefined
    try {
      command = (await this.client.query('COMMIT')).command
    } catch (error) {
      throw databaseError(error)
    } finally {
      this.inTransaction = false
    }
    // PostgreSQL answers COMMIT of a transaction in which a statement failed with ROLLBACK, not an error.
    if (command === 'ROLLBACK') {
      throw new DatabaseError('The transaction was rolled back instead of committed, because a statement in it had failed.', {
        sqlState: '25P02',
      })
    }
  }

  async rollback(): Promise<void> {
    this.inTransaction = false
    // A connection that is gone has taken its transaction with it, and the caller is already
    // handling the error that brought it here.
    await this.client.query('ROLLBACK').catch(() => {})
  }

  splitStatements(sql: string): SqlStatement[] {
    return splitPostgresStatements(sql)
  }

  classifyStatement(statement: string): StatementRole {
    return classifyPostgresStatement(statement)
  }

  historySql(table: HistoryTableName): HistorySql {
    return postgresHistorySql(table.schema ?? this.options.defaultSchema, table.name)
  }

  async acquireLock(table: HistoryTableName, options: AcquireLockOptions): Promise<void> {
    if (this.lock) return
    const deadline = Date.now() + options.timeoutMs
    const lease = await this.options.openLockClient(options)
    const key = advisoryLockKey(table.schema ?? this.options.defaultSchema, table.name)
    try {
      await acquireAdvisoryLock(lease.client, key, options, deadline)
    } catch (error) {
      await lease.release()
      throw error
    }
    this.lock = { lease, key }
  }

  async releaseLock(): Promise<void> {
    const lock = this.lock
    if (!lock) return
    this.lock = undefined
    const released = await releaseAdvisoryLock(lock.lease.client, lock.key)
    await lock.lease.release({ destroy: !released })
  }

  async describeSchema(options: { historyTable: HistoryTableName }): Promise<SchemaSnapshot> {
    const { schema, name } = options.historyTable
    try {
      return await describePostgresSchema(this.client, schema ?? this.options.defaultSchema, name)
    } catch (error) {
      throw databaseError(error)
    }
  }

  async close(): Promise<void> {
    try {
      if (this.inTransaction) await this.rollback()
      await this.releaseLock()
    } finally {
      await this.options.migration.release({ destroy: true })
    }
  }

  private async send(sql: string): Promise<void> {
    try {
      await this.client.query(sql)
    } catch (error) {
      throw databaseError(error, sql)
    }
  }

  /** Stops before running more SQL once the lock's connection is gone, since another runner may now hold the lock. */
  private checkLock(): void {
    if (this.lock?.lease.broken) throw lockLostError('Nothing more was run')
  }

  /**
   * Outside a transaction (a no-transaction migration, one statement at a time) SET LOCAL would
   * have no effect, and CONCURRENTLY refuses to run in a transaction block; so the timeouts are
   * set on the session around the statement and reset after it.
   */
  private async withSessionTimeouts<T>(run: () => Promise<T>): Promise<T> {
    const timeouts = this.options.timeouts
    await applyTimeouts(this.client, timeouts, 'session').catch((error) => {
      throw databaseError(error)
    })
    try {
      return await run()
    } finally {
      await resetTimeouts(this.client, timeouts).catch(() => {})
    }
  }
}

function lockLostError(outcome: string): DatabaseError {
  return new DatabaseError(
    `The connection holding the migration lock closed, so the lock may now be held by another runner. ${outcome}; run the migrations again.`,
  )
}
