/**
 * Milliseconds on a monotonic clock, for durations. Not `performance.now()`: its first use loads
 * Node's perf_hooks modules, about a millisecond that a run with nothing to do would spend on one timing.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}
