import { DatabaseError, type DriverSession } from '@mig/core'
import { type ClientLease, cancelRunningQuery } from './postgres-client.js'
import { leaseQueryError, shiftPosition } from './postgres-error.js'
import { buildsIndexConcurrently, invalidIndexes, withInvalidIndexes } from './postgres-invalid-index.js'
import { isStatementPooling, statementPoolingError } from './postgres-pooler-probe.js'
import { changesStandardStrings, mentionsStandardStrings } from './postgres-standard-strings.js'
import { splitPostgresStatements } from './postgres-statement-splitter.js'
import {
  applyTimeouts,
  clientCheckSql,
  isZeroDuration,
  resetTimeouts,
  resetTimeoutsSql,
  type TimeoutSetting,
  timeoutsSql,
  transactionTimeoutsSql,
} from './postgres-timeouts.js'

/** One SELECT without a `;` inside, which may run in an implicit transaction with other statements. */
const ONE_SELECT = /^\s*SELECT\b[^;]*;?\s*$/i

/**
 * The connection migrations and history queries run on. It is destroyed on close, never
 * returned to a pool: a migration may change its session (`SET`, temporary tables, prepared
 * statements), and that must not leak into the application.
 */
export class PostgresSession implements DriverSession {
  /**
   * Set by the lock once it found a pooler in transaction mode: session settings would stay on
   * a pooled server process, so timeouts apply only inside transactions (`SET LOCAL`).
   */
  transactionPooled = false
  /** The session's own `lock_timeout` before mig's (from the role, the database or the URL), as the lock found it; unknown before. */
  serverLockTimeout: string | undefined
  /**
   * Set by the lock behind a transaction pooler when the server accepts `client_connection_check_interval`:
   * each transaction sets it locally (see {@link clientCheckSql}).
   */
  checkClient = false
  private inTransaction = false
  private lockTimeout: string | undefined

  constructor(
    readonly lease: ClientLease,
    private readonly defaultTimeouts: readonly TimeoutSetting[],
  ) {}

  get client() {
    return this.lease.client
  }

  async runScript(sql: string): Promise<void> {
    if (this.inTransaction) {
      await this.sendInTransaction(sql)
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
        throw this.databaseError(error, sql)
      }
    }
    if (this.inTransaction) return run()
    if (params.length === 0 && ONE_SELECT.test(sql)) return this.selectWithSessionTimeouts<Row>(sql, run)
    return this.withSessionTimeouts(run)
  }

  /** A session setting of mig's own, kept for the session's life (the session is never returned to a pool). */
  async applySetting(sql: string): Promise<void> {
    await this.send(sql)
  }

  setLockTimeout(duration: string | undefined, transaction: boolean): string | undefined {
    this.lockTimeout = duration
    const wanted = this.timeouts.find((setting) => setting.name === 'lock_timeout')?.value
    if (transaction || !this.transactionPooled || !wanted || isZeroDuration(wanted) || (this.serverLockTimeout ?? '0') !== '0')
      return undefined
    return (
      `lock_timeout ${wanted} cannot apply: behind a transaction pooler mig sets nothing on the session, and this migration runs outside a transaction, ` +
      `so its statements may wait for table locks without limit while queries queue behind them. ` +
      `Set it on the role mig connects as: ALTER ROLE CURRENT_USER SET lock_timeout = '${wanted}'.`
    )
  }

  async cancel(): Promise<void> {
    cancelRunningQuery(this.client)
  }

  async begin(): Promise<void> {
    const settings = [
      this.timeouts.length && transactionTimeoutsSql(this.timeouts, this.serverLockTimeout),
      this.checkClient && clientCheckSql('local'),
    ]
    try {
      await this.client.query(['BEGIN', ...settings.filter(Boolean)].join('; '))
    } catch (error) {
      // The settings failed after BEGIN, or BEGIN itself: either way no transaction stays open.
      await this.client.query('ROLLBACK').catch(() => {})
      throw isStatementPooling(error) ? statementPoolingError() : this.databaseError(error, 'BEGIN')
    }
    this.inTransaction = true
  }

  async commit(): Promise<void> {
    let command: string | undefined
    try {
      command = (await this.client.query('COMMIT')).command
    } catch (error) {
      throw this.databaseError(error)
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

  /** pg 8 keeps the status of the server's last ReadyForQuery: `T` in a transaction block, `E` in a failed one. */
  async transactionOpen(): Promise<boolean> {
    const status = (this.client as { getTransactionStatus?: () => string | null }).getTransactionStatus?.()
    return status === 'T' || status === 'E'
  }

  async rollback(): Promise<void> {
    this.inTransaction = false
    // A connection that is gone has taken its transaction with it, and the caller is already
    // handling the error that brought it here.
    await this.client.query('ROLLBACK').catch(() => {})
  }

  async close(): Promise<void> {
    try {
      if (this.inTransaction) await this.rollback()
    } finally {
      await this.lease.release({ destroy: true })
    }
  }

  /**
   * The server lexes a whole query with the setting it had when the query arrived, so a
   * section that changes standard_conforming_strings goes statement by statement.
   */
  private async sendInTransaction(sql: string): Promise<void> {
    if (!mentionsStandardStrings(sql)) return this.send(sql)
    const statements = splitPostgresStatements(sql)
    if (!changesStandardStrings(statements)) return this.send(sql)
    for (const statement of statements) {
      try {
        await this.send(statement.text)
      } catch (error) {
        throw error instanceof DatabaseError ? shiftPosition(error, statement.offset) : error
      }
    }
  }

  /** The driver's timeouts, with the migration file's `-- mig:lock-timeout` in place of the default. */
  private get timeouts(): readonly TimeoutSetting[] {
    if (this.lockTimeout === undefined) return this.defaultTimeouts
    return [...this.defaultTimeouts.filter((setting) => setting.name !== 'lock_timeout'), { name: 'lock_timeout', value: this.lockTimeout }]
  }

  private async send(sql: string): Promise<void> {
    try {
      await this.client.query(sql)
    } catch (error) {
      throw this.databaseError(error, sql)
    }
  }

  private databaseError(error: unknown, sql?: string) {
    return leaseQueryError(this.lease, error, sql)
  }

  /**
   * A read outside a transaction, such as history before the lock, with the timeouts set and
   * reset in the same query: one round trip instead of three, and behind a pooler in transaction
   * mode all three reach the same server connection, so none of mig's settings stays on a
   * connection the application gets next. The query is one implicit transaction: when it fails,
   * the settings are rolled back with it.
   */
  private async selectWithSessionTimeouts<Row>(sql: string, run: () => Promise<Row[]>): Promise<Row[]> {
    const timeouts = this.transactionPooled ? [] : this.timeouts
    if (!timeouts.length) return run()
    const before = `${timeoutsSql(timeouts, 'session')};\n`
    try {
      const results = (await this.client.query(`${before}${sql}\n;\n${resetTimeoutsSql(timeouts)}`)) as unknown as { rows: Row[] }[]
      return results[1]?.rows ?? []
    } catch (error) {
      throw shiftPosition(this.databaseError(error, `${before}${sql}`), -before.length)
    }
  }

  /**
   * Outside a transaction (a no-transaction migration, one statement at a time) SET LOCAL would
   * have no effect, and CONCURRENTLY refuses to run in a transaction block; so the timeouts are
   * set on the session around the statement and reset after it.
   */
  private async withSessionTimeouts<T>(run: () => Promise<T>): Promise<T> {
    if (this.transactionPooled) return run()
    const timeouts = this.timeouts
    await applyTimeouts(this.client, timeouts, 'session').catch((error) => {
      throw this.databaseError(error)
    })
    try {
      return await run()
    } finally {
      await resetTimeouts(this.client, timeouts).catch(() => {})
    }
  }
}
