import { setTimeout as sleep } from 'node:timers/promises'
import type { LockHolder, MigrationLock } from './driver.js'
import { LockTimeoutError } from './run-errors.js'

const FIRST_POLL_MS = 25
const LONGEST_POLL_MS = 1_000
/** How often a wait is reported (and the holder looked up): at the start, then every few seconds. */
const REPORT_EVERY_MS = 5_000

export interface LockWaitOptions {
  readonly timeoutMs: number
  readonly signal?: AbortSignal
  /** Called when the wait starts and every few seconds while it lasts. */
  readonly onWait: (holder: LockHolder | undefined, waitedMs: number) => void
}

/**
 * The one loop that waits for the migration lock: tries the driver's lock with back-off until
 * it is held, the timeout passes ({@link LockTimeoutError}, naming the holder) or the signal
 * aborts (rejects with the signal's reason).
 */
export async function waitForLock(lock: MigrationLock, options: LockWaitOptions): Promise<void> {
  const started = Date.now()
  let pollMs = FIRST_POLL_MS
  let reportedAt = Number.NEGATIVE_INFINITY
  for (;;) {
    options.signal?.throwIfAborted()
    if (await lock.tryAcquire()) return
    const waitedMs = Date.now() - started
    if (waitedMs >= options.timeoutMs) throw new LockTimeoutError({ timeoutMs: options.timeoutMs, holder: await lock.describeHolder() })
    if (Date.now() - reportedAt >= REPORT_EVERY_MS) {
      options.onWait(await lock.describeHolder(), waitedMs)
      reportedAt = Date.now()
    }
    await sleep(Math.max(1, Math.min(pollMs, options.timeoutMs - (Date.now() - started))), undefined, { signal: options.signal })
    pollMs = Math.min(pollMs * 2, LONGEST_POLL_MS)
  }
}
