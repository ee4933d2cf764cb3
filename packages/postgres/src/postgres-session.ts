import { DatabaseError, type DriverSession } from '@mig/core'
import type { ClientLease } from './postgres-client.js'
import { databaseError } from './postgres-error.js'
import { buildsIndexConcurrently, invalidIndexes, withInvalidIndexes } from './postgres-invalid-index.js'
import { changesStandardStrings } from './postgres-standard-strings.js'
import { splitPostgresStatements } from './postgres-statement-splitter.js'
import { applyTimeouts, resetTimeouts, type TimeoutSetting } from './postgres-timeouts.js'

/**
 * The connection migrations and history queries run on. It is destroyed on close, never
 * returned to a pool: a migration may change its session (`SET`, temporary tables, prepared
 * statements), and that must not leak into the application.
 */
export class PostgresSession implements DriverSession {
  private inTransaction = false

  constructor(
    readonly lease: ClientLease,
    private readonly timeouts: readonly TimeoutSetting[],
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
        throw databaseError(error, sql)
      }
    }
    return this.inTransaction ? run() : this.withSessionTimeouts(run)
  }

  async begin(): Promise<void> {
    await this.send('BEGIN')
    this.inTransaction = true
    try {
      await applyTimeouts(this.client, this.timeouts, 'local')
    } catch (error) {
      await this.rollback()
      throw databaseError(error)
    }
  }

  async commit(): Promise<void> {
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
    const statements = splitPostgresStatements(sql)
    if (!changesStandardStrings(statements)) return this.send(sql)
    for (const statement of statements) {
      try {
        await this.send(statement.text)
      } catch (error) {
        if (!(error instanceof DatabaseError) || error.position === undefined) throw error
        const { sqlState, detail, hint, cause } = error
        throw new DatabaseError(error.message, { sqlState, detail, hint, cause, position: statement.offset + error.position })
      }
    }
  }

  private async send(sql: string): Promise<void> {
    try {
      await this.client.query(sql)
    } catch (error) {
      throw databaseError(error, sql)
    }
  }

  /**
   * Outside a transaction (a no-transaction migration, one statement at a time) SET LOCAL would
   * have no effect, and CONCURRENTLY refuses to run in a transaction block; so the timeouts are
   * set on the session around the statement and reset after it.
   */
  private async withSessionTimeouts<T>(run: () => Promise<T>): Promise<T> {
    const timeouts = this.timeouts
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
