/**
 * `pnpm bench:startup`: mig against its floor where a deploy and an application start feel it,
 * in one interleaved run, and one markdown table to paste into docs/benchmarks.md:
 *
 * - no-op `up` and `status` with 1,000 and 10,000 applied, whole processes: the bare Node script
 *   (`scripts/bare-status.mjs`: opens the database with the same driver, reads mig's history,
 *   lists the folder) against mig's CLI;
 * - `up` of 1,000 from empty, one transaction per migration: the bare loop against mig's API
 *   and CLI (API figures timed inside a fresh process after its modules are loaded);
 * - the embedded figure: `new Migrator(...).up()` with 1,000 applied and nothing to do, timed
 *   inside a fresh process after its modules are loaded, as an application's start-up sees it;
 * - peak RSS of each mig process (GNU time, or the process's own maxRSS for API figures).
 *
 * Every round runs each command once, starting one further along the list, so load on the
 * machine falls on all of them alike; figures are medians. Options: --dialects sqlite,postgres,
 * --runs N (start-up rounds, default 7), --up-runs N (default 3), --smoke (histories of 10 and
 * 20, one round: for CI). PostgreSQL as in `pnpm bench` (MIG_BENCH_POSTGRES_URL, else the test
 * suites' server).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { baselineCommands } from './contenders.mjs'
import { countWorkloadTables, Databases, findPostgres } from './databases.mjs'
import { writeMigrations } from './formats.mjs'
import { describeMachine, formatLoad, sqliteVersion } from './machine.mjs'
import { runScript, timeApi, timeProcess } from './processes.mjs'
import { markdownTable, print, progressReporter, runBenchmark } from './report.mjs'
import { formatMb, formatMs, formatRange, rotated, summarise } from './stats.mjs'
import { migCommand } from './tools/mig.mjs'

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    runs: { type: 'string' },
    'up-runs': { type: 'string' },
  },
})
const plan = flags.smoke
  ? { histories: [10, 20], upSize: 10, runs: 1, upRuns: 1, warmUp: false }
  : { histories: [1000, 10_000], upSize: 1000, runs: 7, upRuns: 3, warmUp: true }
if (flags.runs) plan.runs = Number(flags.runs)
if (flags['up-runs']) plan.upRuns = Number(flags['up-runs'])
const dialects = flags.dialects.split(',').map((dialect) => dialect.trim())
const [shortHistory] = plan.histories

const progress = progressReporter()

const postgres = dialects.includes('postgres') ? await findPostgres() : undefined
const work = await mkdtemp(join(tmpdir(), 'mig-bench-startup-'))
const databases = new Databases({ workDirectory: work, postgresUrl: postgres?.url })
const folder = (format, size) => join(work, 'migrations', `${format}-${size}`)

await runBenchmark(
  progress,
  async () => {
    for (const size of new Set([...plan.histories, plan.upSize])) await writeMigrations('mig', folder('mig', size), size)
    await writeMigrations('up-down', folder('up-down', plan.upSize), plan.upSize)
    const postgresVersion = postgres
      ? `${(await (await databases.connectAdmin()).query('SELECT version()')).rows[0].version.replace(/ on .*$/, '')} (${postgres.source})`
      : undefined
    print(`# mig start-up and per-migration cost${flags.smoke ? ' (smoke run)' : ''}`)
    print()
    print(await describeMachine({ postgresVersion, sqliteVersion: await sqliteVersion() }))
    print(`- ${plan.runs} interleaved rounds for start-up, ${plan.upRuns} for \`up\` from empty; medians`)
    const rows = []
    for (const dialect of dialects) rows.push(...(await measureDialect(dialect)))
    print()
    print(
      markdownTable(
        ['Measurement', 'Dialect', 'Floor', 'mig', 'mig min–max', '× floor', 'Peak RSS of mig', 'Target', 'Verdict'],
        rows.map((row) => [
          row.label,
          row.dialect,
          row.floor ? `${row.floorLabel} ${formatMs(row.floor.median)}` : '',
          formatMs(row.mig.median),
          formatRange(row.mig),
          row.floor ? `${(row.mig.median / row.floor.median).toFixed(2)}x` : '',
          formatMb(row.rssKb),
          row.target?.text ?? '',
          row.target ? (row.target.met ? 'met' : '**missed**') : '',
        ]),
        2,
      ),
    )
    print()
    print(`Load average at the end: ${formatLoad()}.`)
  },
  async () => {
    await databases.dropAll().catch(() => {})
    await rm(work, { recursive: true, force: true })
    await postgres?.stop()
  },
)

async function measureDialect(dialect) {
  // Histories are built by mig a thousand migrations to a transaction: the same rows and tables
  // in a fraction of the time (PostgreSQL runs out of lock slots for 10,000 tables in one).
  const histories = new Map()
  for (const size of plan.histories) {
    const target = databases.target(dialect, 'startup', size)
    await databases.reset(target)
    progress(`${dialect}: building a history of ${size}`)
    for (let applied = 0; applied < size; applied += 1000) {
      await timeProcess(migCommand(['up', '--single-transaction', '--step', '1000', '--no-lint'], target, folder('mig', size)), {
        cwd: work,
      })
    }
    const tables = await countWorkloadTables(target)
    if (tables !== size) throw new Error(`mig up left ${tables} of ${size} workload tables on ${dialect}`)
    histories.set(size, target)
  }

  const commands = []
  for (const size of plan.histories) {
    const target = histories.get(size)
    const directory = folder('mig', size)
    const bare = baselineCommands(target, directory).find((baseline) => baseline.id === 'bare-script')
    commands.push({ id: `bare:${size}`, command: bare.command })
    commands.push({ id: `up:${size}`, command: migCommand(['up'], target, directory) })
    commands.push({ id: `status:${size}`, command: migCommand(['status'], target, directory) })
  }
  // The embedded figure: Migrator.up() with nothing to do, in a fresh process after its imports.
  const embedded = { id: 'embedded', api: () => migApiUp(histories.get(shortHistory), folder('mig', shortHistory), 0) }
  const samples = new Map([...commands, embedded].map((command) => [command.id, { ms: [], rss: [] }]))
  for (let round = plan.warmUp ? -1 : 0; round < plan.runs; round++) {
    for (const command of rotated([...commands, embedded], Math.max(round, 0))) {
      const measured = command.api ? await command.api() : await timeProcess(command.command, { cwd: work })
      if (round < 0) continue
      samples.get(command.id).ms.push(measured.ms)
      if (measured.maxRssKb) samples.get(command.id).rss.push(measured.maxRssKb)
    }
    progress(`${dialect} start-up: round ${round + 1}/${plan.runs}`)
  }
  for (const size of plan.histories) {
    const tables = await countWorkloadTables(histories.get(size))
    if (tables !== size) throw new Error(`a no-op run changed the history of ${size} on ${dialect}: ${tables} workload tables`)
  }
  const summary = (id) => summarise(samples.get(id).ms)
  const peak = (id) => (samples.get(id).rss.length ? Math.max(...samples.get(id).rss) : undefined)

  const up = await measureUp(dialect)

  const rows = []
  for (const size of plan.histories) {
    for (const op of ['up', 'status']) {
      const mig = summary(`${op}:${size}`)
      const rssKb = peak(`${op}:${size}`)
      const floor = summary(`bare:${size}`)
      const label = `${op === 'up' ? 'no-op `up`' : '`status`'}, ${size.toLocaleString('en')} applied (CLI)`
      let target
      if (size === shortHistory) {
        const ratio = mig.median / floor.median
        target = { text: '≤ 1.2x floor', met: ratio <= 1.2 }
      } else {
        const short = summary(`${op}:${shortHistory}`)
        const growth = mig.median / short.median
        target = {
          text: `≤ 1.5x the ${shortHistory.toLocaleString('en')} figure (${growth.toFixed(2)}x), < 120 MB`,
          met: growth <= 1.5 && rssKb !== undefined && rssKb < 120 * 1024,
        }
      }
      rows.push({ label, dialect, floorLabel: 'bare script', floor, mig, rssKb, target })
    }
  }
  const embeddedSummary = summary('embedded')
  rows.push({
    label: `embedded \`new Migrator(...).up()\`, nothing to do, ${shortHistory.toLocaleString('en')} applied (in process)`,
    dialect,
    mig: embeddedSummary,
    rssKb: peak('embedded'),
  })
  for (const [id, label] of [
    ['mig', 'API'],
    ['mig-cli', 'CLI, whole process, linting what it applies'],
  ]) {
    const ratio = up.get(id).summary.median / up.get('bare').summary.median
    rows.push({
      label: `\`up\` of ${plan.upSize.toLocaleString('en')} from empty, per migration (${label})`,
      dialect,
      floorLabel: 'bare loop',
      floor: up.get('bare').summary,
      mig: up.get(id).summary,
      rssKb: up.get(id).rssKb,
      target: id === 'mig' ? { text: '≤ 1.05x floor', met: ratio <= 1.05 } : undefined,
    })
  }
  return rows
}

/** `Migrator.up()` in a process of its own (scripts/mig-api-up.mjs), checked to apply `expected` migrations. */
async function migApiUp(target, directory, expected) {
  const location = target.dialect === 'sqlite' ? target.filename : target.url
  const measured = await runScript('mig-api-up.mjs', [target.dialect, location, directory], { cwd: work })
  if (measured.applied !== expected) throw new Error(`Migrator.up() applied ${measured.applied}, not ${expected}, on ${target.dialect}`)
  return measured
}

/** `up` of plan.upSize from empty: bare loop, mig's API and mig's CLI, interleaved, each on an empty database. */
async function measureUp(dialect) {
  const runs = {
    bare: (target) => timeApi('bare', 'up', target, folder('up-down', plan.upSize), { cwd: work }),
    mig: (target) => migApiUp(target, folder('mig', plan.upSize), plan.upSize),
    'mig-cli': (target) => timeProcess(migCommand(['up'], target, folder('mig', plan.upSize)), { cwd: work }),
  }
  const samples = new Map(Object.keys(runs).map((id) => [id, { ms: [], rss: [] }]))
  for (let round = 0; round < plan.upRuns; round++) {
    for (const id of rotated(Object.keys(runs), round)) {
      const target = databases.target(dialect, `up-${id}`, plan.upSize)
      await databases.reset(target)
      const measured = await runs[id](target)
      const tables = await countWorkloadTables(target)
      if (tables !== plan.upSize) throw new Error(`${id} left ${tables} of ${plan.upSize} workload tables on ${dialect}`)
      samples.get(id).ms.push(measured.ms)
      if (measured.maxRssKb) samples.get(id).rss.push(measured.maxRssKb)
      progress(`${dialect} up of ${plan.upSize} round ${round + 1}/${plan.upRuns} ${id}: ${measured.ms.toFixed(0)} ms`)
    }
  }
  return new Map(
    [...samples].map(([id, { ms, rss }]) => [id, { summary: summarise(ms), rssKb: rss.length ? Math.max(...rss) : undefined }]),
  )
}
