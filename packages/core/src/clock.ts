/**
 * Milliseconds on a monotonic clock, for durations. Not `performance.now()`: its first use loads
 * Node's perf_hooks modules, about a millisecond that a run with nothing to do would spend on one timing.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/** Adds up the time spent in the work it is given to {@link time}. */
export class Stopwatch {
  private totalMs = 0

  /** Milliseconds spent in timed work since it was made or last reset. */
  get elapsedMs(): number {
    return this.totalMs
  }

  async time<T>(work: () => Promise<T>): Promise<T> {
    const started = monotonicMs()
    try {
      return await work()
    } finally {
      this.totalMs += monotonicMs() - started
    }
  }

  reset(): void {
    this.totalMs = 0
  }
}
