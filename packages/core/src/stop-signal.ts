/**
 * One signal that aborts when any of a run's signals does: a cancel (`cancelSignal`) stops
 * whatever a stop (`signal`) stops, such as a wait for the lock or the start of the next target.
 */
export function stopSignalOf(...signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((signal): signal is AbortSignal => signal !== undefined)
  return given.length > 1 ? AbortSignal.any(given) : given[0]
}
