import { formatMb, formatMs } from './stats.mjs'

/**
 * The issue's targets, checked against this run's figures. Each row: what is promised, what
 * was measured, and met or missed.
 */
export function targetVerdicts(results, plan) {
  const rows = []
  const largestUp = Math.max(...plan.upSizes)
  const [shortHistory, longHistory] = plan.histories
  const verdict = (met) => (met ? 'met' : '**missed**')
  for (const [dialect, result] of Object.entries(results)) {
    const up = result.up[largestUp]
    const ratio = (id, baseline, table = up) => table.get(id).median / table.get(baseline).median
    rows.push([
      `${dialect}: \`up\` of ${largestUp} per migration ≤ 1.05x bare loop`,
      `${formatMs(up.get('mig').median)} vs ${formatMs(up.get('bare').median)} = ${ratio('mig', 'bare').toFixed(2)}x`,
      verdict(ratio('mig', 'bare') <= 1.05),
    ])
    const single = ratio('mig-single', 'bare-single')
    const knex = up.get('knex')?.median
    rows.push([
      `${dialect}: \`up\` of ${largestUp}, transactionMode single ≤ 1.2x one-transaction bare loop, ahead of knex`,
      `${formatMs(up.get('mig-single').median)} vs ${formatMs(up.get('bare-single').median)} = ${single.toFixed(2)}x; knex ${knex === undefined ? 'n/a' : formatMs(knex)}`,
      verdict(single <= 1.2 && (knex === undefined || up.get('mig-single').median < knex)),
    ])
    const startup = result.startup[shortHistory]
    const bareScript = startup.get('bare-script').summary.median
    const peers = [...startup.values()].filter(
      (entry) => !['node', 'bare-script'].includes(entry.id) && !entry.id.startsWith('mig') && !entry.id.startsWith('dbmate'),
    )
    for (const op of ['up', 'status']) {
      const mig = startup.get(`mig-cli:${op}`).summary.median
      const slowestFactor = Math.min(...peers.filter((entry) => entry.op === op).map((entry) => entry.summary.median / mig))
      rows.push([
        `${dialect}: ${op === 'up' ? 'no-op `up`' : '`status`'} with ${shortHistory} applied ≤ 1.3x bare Node script, ≥ 1.5x faster than every Node peer`,
        `${formatMs(mig)} vs ${formatMs(bareScript)} = ${(mig / bareScript).toFixed(2)}x; nearest Node peer ${slowestFactor.toFixed(2)}x slower`,
        verdict(mig / bareScript <= 1.3 && slowestFactor >= 1.5),
      ])
      const long = result.startup[longHistory]?.get(`mig-cli:${op}`)
      if (long) {
        rows.push([
          `${dialect}: ${op === 'up' ? 'no-op `up`' : '`status`'} with ${longHistory} applied ≤ 1.5x the ${shortHistory} figure`,
          `${formatMs(long.summary.median)} vs ${formatMs(mig)} = ${(long.summary.median / mig).toFixed(2)}x`,
          verdict(long.summary.median / mig <= 1.5),
        ])
      }
    }
    const peak = Math.max(...result.memory.map((entry) => entry.maxRssKb ?? 0))
    rows.push([`${dialect}: peak memory of mig at ${longHistory} < 120 MB`, formatMb(peak), verdict(peak > 0 && peak < 120 * 1024)])
    const down = result.down
    rows.push([
      `${dialect}: \`down\` of ${plan.downSize} ≤ 1.2x bare loop`,
      `${formatMs(down.get('mig').median)} vs ${formatMs(down.get('bare').median)} = ${ratio('mig', 'bare', down).toFixed(2)}x`,
      verdict(ratio('mig', 'bare', down) <= 1.2),
    ])
  }
  return rows
}
