import { DatabaseError } from '@mig/core'
import type { ClientLease } from './postgres-client.js'
import { leaseQueryError } from './postgres-error.js'

/**
 * The lock's own connection. Every query on it has a deadline: a connection that a NAT or load
 * balancer stopped forwarding looks alive to TCP keepalive (the middlebox answers the probes),
 * so only a query that gets no answer in time shows it. A heartbeat asks the lock's own
 * question every `heartbeatMs`; a wrong answer, an error or no answer in time marks the lock
 * lost, and the runner stops before its next commit.
 */
export class LockConnection {
  /** Set once a session setting was changed on it: it is then never returned to a pool. */
  tainted = false
  private lost = false
  private timer: NodeJS.Timeout | undefined
  private confirmedAt = performance.now()

  constructor(
    readonly lease: ClientLease,
    /** How long a silent holder keeps the lock: the heartbeat runs every third of it. */
    readonly ttlMs: number,
  ) {}

  get heartbeatMs(): number {
    return Math.max(100, Math.floor(this.ttlMs / 3))
  }

  /** False once the connection failed, a heartbeat went unanswered or said no, or no heartbeat succeeded for a whole TTL. */
  get alive(): boolean {
    return !this.lost && !this.lease.broken && performance.now() - this.confirmedAt < this.ttlMs
  }

  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the query returns.
  async query(text: string, values: unknown[] = [], timeoutMs = this.heartbeatMs): Promise<any[]> {
    try {
      return (await this.lease.client.query({ text, values, query_timeout: timeoutMs })).rows
    } catch (error) {
      if ((error as Error).message !== 'Query read timeout') throw leaseQueryError(this.lease, error, text)
      // pg still waits for the answer, so nothing more can run on this connection.
      this.lost = true
      throw new DatabaseError(
        `The migration lock's connection got no answer from PostgreSQL within ${timeoutMs} ms. A pooler in front of the server ` +
          '(PgBouncer in session mode) that has no free server connection makes it wait: each mig run holds two at once, one for ' +
          'migrations and one for the lock, so give the pool at least twice as many server connections as runs that start together ' +
          "(PgBouncer's default_pool_size), or connect mig to the server directly. Otherwise the network to the server stopped " +
          'forwarding this connection.',
        { cause: error },
      )
    }
  }

  /** Runs `check` every `heartbeatMs` until {@link close}; the first false or failure marks the lock lost. */
  heartbeat(check: () => Promise<boolean>): void {
    this.confirmedAt = performance.now()
    const beat = async () => {
      const started = performance.now()
      const confirmed = await check().catch(() => false)
      if (this.timer === undefined) return
      if (!confirmed) {
        this.lost = true
        return
      }
      this.confirmedAt = started
      this.timer = setTimeout(beat, this.heartbeatMs).unref()
    }
    this.timer = setTimeout(beat, this.heartbeatMs).unref()
  }

  /** Stops the heartbeat and gives the connection back; a connection that may still hold something is destroyed. */
  async close(options: { destroy: boolean }): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.lease.release({ destroy: options.destroy || this.lost || this.tainted })
  }
}
