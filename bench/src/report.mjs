import { formatMb, formatMs, formatRange, formatRatio } from './stats.mjs'

/** One line of the report, on stdout. */
export function print(text = '') {
  process.stdout.write(`${text}\n`)
}

/** Progress on stderr, each line stamped with the seconds since the benchmark started. */
export function progressReporter() {
  const started = performance.now()
  return (message) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}\n`)
}

/**
 * Runs a benchmark's `body`, then `cleanUp` whatever happened. A failure is printed on stderr
 * and makes the exit code 1; the last progress line says whether it was done or failed.
 */
export async function runBenchmark(progress, body, cleanUp) {
  let failed = false
  try {
    await body()
  } catch (error) {
    failed = true
    process.stderr.write(`\nThe benchmark failed: ${error?.stack ?? error}\n`)
  } finally {
    await cleanUp()
  }
  progress(failed ? 'failed' : 'done')
  process.exitCode = failed ? 1 : 0
}

/** The first `textColumns` columns are left-aligned; the rest hold figures and are right-aligned. */
export function markdownTable(header, rows, textColumns = 1) {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, index) => (index < textColumns ? '---' : '---:')).join(' | ')} |`]
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`)
  return lines.join('\n')
}

/** `up` from empty or `down` of everything: one row per contender, against both bare loops. */
export function throughputTable(entries, { bare, bareSingle }) {
  return markdownTable(
    ['Tool', 'Measured as', 'Transactions', 'Median', 'Min–max', '× bare loop', '× one-transaction bare loop'],
    entries.map(({ contender, summary }) => [
      contender.label,
      contender.api ? 'API, in process' : 'CLI, whole process',
      contender.transactions,
      formatMs(summary.median),
      formatRange(summary),
      formatRatio(summary.median, bare?.median),
      formatRatio(summary.median, bareSingle?.median),
    ]),
    3,
  )
}

/** Whole-process start-up: one row per command, against `node -e 0` and the bare script. */
export function startupTable(entries, { node, bareScript }) {
  return markdownTable(
    ['Command', 'Median', 'Min–max', '× `node -e 0`', '× bare Node script', 'Peak RSS (median)'],
    entries.map(({ label, summary, rss }) => [
      label,
      formatMs(summary.median),
      formatRange(summary),
      formatRatio(summary.median, node?.median),
      formatRatio(summary.median, bareScript?.median),
      formatMb(rss?.median),
    ]),
  )
}

export function memoryTable(entries) {
  return markdownTable(
    ['mig run', 'Dialect', 'Wall time', 'Peak RSS'],
    entries.map(({ label, dialect, ms, maxRssKb }) => [label, dialect, formatMs(ms), formatMb(maxRssKb)]),
    2,
  )
}
