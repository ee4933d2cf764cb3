const DURATION = /^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$/

/**
 * A duration for a database's timeouts, as migration files and options write it: a number with
 * a unit of us, ms, s, min, h or d (`500ms`, `5s`, `2min`); a bare number is milliseconds.
 */
export function isDuration(text: string): boolean {
  return DURATION.test(text.trim())
}
