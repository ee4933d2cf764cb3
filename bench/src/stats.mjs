export function summarise(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length }
}

/** Milliseconds as people read them: `812 ms`, `4.41 s`. */
export function formatMs(ms) {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (ms >= 100) return `${Math.round(ms)} ms`
  return `${ms.toFixed(1)} ms`
}

export function formatRange({ min, max }) {
  return `${formatMs(min)}–${formatMs(max)}`
}

export function formatRatio(value, baseline) {
  if (value === undefined || baseline === undefined) return ''
  return `${(value / baseline).toFixed(2)}x`
}

export function formatMb(kilobytes) {
  return kilobytes === undefined ? 'n/a' : `${(kilobytes / 1024).toFixed(0)} MB`
}

/** The list started `round` places further along, so that each round runs every command at another moment. */
export function rotated(list, round) {
  const offset = round % list.length
  return [...list.slice(offset), ...list.slice(0, offset)]
}
