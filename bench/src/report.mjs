import { formatMb, formatMs, formatRange, formatRatio } from './stats.mjs'

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
