import type { DriverSession } from './driver.js'

/**
 * One signal that aborts when any of a run's signals does: a cancel (`cancelSignal`) stops
 * whatever a stop (`signal`) stops, such as a wait for the lock or the start of the next target.
 */
export function stopSignalOf(...signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((signal): signal is AbortSignal => signal !== undefined)
  return given.length > 1 ? AbortSignal.any(given) : given[0]
}

/** A signal for work that must stop now, and `release` to stop listening once that work is over. */
export interface StopNow {
  readonly signal: AbortSignal
  release(): void
}

/**
 * Aborts, with `reason()` as its reason, when `cancelSignal` does (or already has): the signal a
 * code migration gets, whose reason is mig's own error rather than whatever the caller aborted with.
 */
export function stopNowOf(cancelSignal: AbortSignal | undefined, reason: () => unknown): StopNow {
  const controller = new AbortController()
  const onCancel = () => controller.abort(reason())
  if (cancelSignal?.aborted) onCancel()
  else cancelSignal?.addEventListener('abort', onCancel, { once: true })
  return { signal: controller.signal, release: () => cancelSignal?.removeEventListener('abort', onCancel) }
}

/** Runs `work` while an abort of `cancelSignal` cancels the statement `session` runs, on the server (where the driver can). */
export async function cancellingStatements<T>(
  session: Pick<DriverSession, 'cancel'>,
  cancelSignal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!cancelSignal || !session.cancel) return work()
  const onCancel = () => void session.cancel?.()
  cancelSignal.addEventListener('abort', onCancel, { once: true })
  try {
    return await work()
  } finally {
    cancelSignal.removeEventListener('abort', onCancel)
  }
}

/** What `promise` gives, or undefined as soon as `signal` aborts, without waiting for it. */
export function unlessAborted<Value>(promise: Promise<Value>, signal: AbortSignal | undefined): Promise<Value | undefined> {
  if (signal === undefined) return promise
  if (signal.aborted) return Promise.resolve(undefined)
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
