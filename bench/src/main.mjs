/**
 * `pnpm bench`: mig against a bare driver loop and the migration tools users would pick instead,
 * on a SQLite file and on PostgreSQL. Prints one markdown table per measurement on stdout and
 * progress on stderr. `--smoke` runs every measurement once with ten migrations, for CI.
 *
 * Options: --smoke, --dialects sqlite,postgres, --runs N (up/down), --startup-runs N.
 * PostgreSQL: MIG_BENCH_POSTGRES_URL, a role that may create and drop databases (the
 * benchmark's own are named mig_bench_*); without it, the server the test suites use (the local
 * one on 127.0.0.1:5432, else a throwaway embedded one).
 */
import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { baselineCommands, CONTENDERS } from './contenders.mjs'
import { countWorkloadTables, Databases, findPostgres } from './databases.mjs'
import { writeMigrations } from './formats.mjs'
import { describeMachine, formatLoad, sqliteVersion } from './machine.mjs'
import { timeApi, timeProcess } from './processes.mjs'
import { markdownTable, memoryTable, print, progressReporter, runBenchmark, startupTable, throughputTable } from './report.mjs'
import { rotated, summarise } from './stats.mjs'
import { targetVerdicts } from './targets.mjs'

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    runs: { type: 'string' },
    'startup-runs': { type: 'string' },
  },
})

const plan = flags.smoke
  ? { upSizes: [10], downSize: 10, histories: [10, 20], runs: 1, startupRuns: 1, warmUp: false }
  : { upSizes: [100, 1000], downSize: 100, histories: [1000, 10_000], runs: 5, startupRuns: 10, warmUp: true }
if (flags.runs) plan.runs = Number(flags.runs)
if (flags['startup-runs']) plan.startupRuns = Number(flags['startup-runs'])
const dialects = flags.dialects.split(',').map((dialect) => dialect.trim())

const progress = progressReporter()

const postgres = dialects.includes('postgres') ? await findPostgres() : undefined
const work = await mkdtemp(join(tmpdir(), 'mig-bench-'))
// The work folder stands for a project with the tools installed: the knex CLI, for one, looks
// for knex beside its knexfile.
await symlink(fileURLToPath(new URL('../node_modules', import.meta.url)), join(work, 'node_modules'), 'dir')
const databases = new Databases({ workDirectory: work, postgresUrl: postgres?.url })
const migrationsOf = (format, size) => join(work, 'migrations', `${format}-${size}`)
const results = {}

await runBenchmark(
  progress,
  async () => {
    await prepareMigrations()
    print(`# mig benchmark${flags.smoke ? ' (smoke run)' : ''}`)
    print()
    const postgresVersion = dialects.includes('postgres')
      ? `${(await (await databases.connectAdmin()).query('SELECT version()')).rows[0].version.replace(/ on .*$/, '')} (${postgres.source})`
      : undefined
    print(await describeMachine({ postgresVersion, sqliteVersion: await sqliteVersion() }))
    for (const dialect of dialects) {
      results[dialect] = { up: {}, down: undefined, startup: {}, memory: [] }
      print()
      print(`## ${dialect === 'sqlite' ? 'SQLite (a file)' : 'PostgreSQL'}`)
      for (const size of plan.upSizes) await measureUp(dialect, size)
      for (const history of plan.histories) await measureStartup(dialect, history)
      await measureDown(dialect, plan.downSize)
      print()
      print(`### Peak memory of mig (${dialect})`)
      print()
      print(memoryTable(results[dialect].memory))
    }
    print()
    print(`Load average at the end: ${formatLoad()}.`)
    if (!flags.smoke) {
      print()
      print('## Targets')
      print()
      print(markdownTable(['Target', 'Measured', 'Verdict'], targetVerdicts(results, plan), 3))
    }
  },
  async () => {
    await databases.dropAll().catch(() => {})
    await rm(work, { recursive: true, force: true })
    await postgres?.stop()
  },
)

async function prepareMigrations() {
  const sizes = [...new Set([...plan.upSizes, plan.downSize])]
  const formats = [...new Set(CONTENDERS.map((contender) => contender.format))]
  for (const size of sizes) for (const format of formats) await writeMigrations(format, migrationsOf(format, size), size)
  for (const history of plan.histories) if (!sizes.includes(history)) await writeMigrations('mig', migrationsOf('mig', history), history)
  progress(`wrote the workload in ${formats.length} formats under ${work}`)
}

/** Each run visits every contender, starting one further along each time, so no tool always goes first. */

async function measureUp(dialect, size) {
  const contenders = CONTENDERS.filter((contender) => contender.dialects.includes(dialect))
  const samples = new Map(contenders.map((contender) => [contender.id, []]))
  for (let run = 0; run < plan.runs; run++) {
    for (const contender of rotated(contenders, run)) {
      const target = databases.target(dialect, contender.id, size)
      await databases.reset(target)
      const measured = await applyAll(contender, target, size)
      samples.get(contender.id).push(measured.ms)
      progress(`${dialect} up ${size} run ${run + 1}/${plan.runs} ${contender.id}: ${measured.ms.toFixed(0)} ms`)
    }
  }
  const entries = contenders.map((contender) => ({ contender, summary: summarise(samples.get(contender.id)) }))
  results[dialect].up[size] = new Map(entries.map((entry) => [entry.contender.id, entry.summary]))
  print()
  print(`### \`up\` of ${size.toLocaleString('en')} migrations from empty (${dialect}, ${plan.runs} runs)`)
  print()
  print(throughputTable(entries, { bare: results[dialect].up[size].get('bare'), bareSingle: results[dialect].up[size].get('bare-single') }))
}

/** Applies every migration with the contender's own API or CLI, and checks that it did. */
async function applyAll(contender, target, size) {
  const directory = migrationsOf(contender.format, size)
  const measured = contender.api?.up
    ? await timeApi(contender.id, 'up', target, directory, { cwd: work })
    : await timeProcess(await contender.cli.up(target, directory, work), { cwd: work })
  const tables = await countWorkloadTables(target)
  if (tables !== size) throw new Error(`${contender.label} left ${tables} of ${size} workload tables on ${target.dialect}`)
  return measured
}

async function measureDown(dialect, size) {
  const contenders = CONTENDERS.filter(
    (contender) => contender.dialects.includes(dialect) && (contender.api?.downAll || contender.cli?.downAll),
  )
  const samples = new Map(contenders.map((contender) => [contender.id, []]))
  for (let run = 0; run < plan.runs; run++) {
    for (const contender of rotated(contenders, run)) {
      const target = databases.target(dialect, contender.id, size)
      await databases.reset(target)
      await applyAll(contender, target, size)
      const directory = migrationsOf(contender.format, size)
      let ms
      if (contender.api?.downAll) ms = (await timeApi(contender.id, 'downAll', target, directory, { cwd: work })).ms
      else {
        ms = 0
        for (const command of await contender.cli.downAll(target, directory, work, size))
          ms += (await timeProcess(command, { cwd: work })).ms
      }
      const left = await countWorkloadTables(target)
      if (left !== 0) throw new Error(`${contender.label} left ${left} workload tables after reverting all on ${dialect}`)
      samples.get(contender.id).push(ms)
      progress(`${dialect} down ${size} run ${run + 1}/${plan.runs} ${contender.id}: ${ms.toFixed(0)} ms`)
    }
  }
  const entries = contenders.map((contender) => ({
    contender: contender.id === 'dbmate' ? { ...contender, label: `${contender.label}, ${size} × rollback` } : contender,
    summary: summarise(samples.get(contender.id)),
  }))
  results[dialect].down = new Map(entries.map((entry) => [entry.contender.id, entry.summary]))
  print()
  print(`### \`down\` of all ${size} migrations (${dialect}, ${plan.runs} runs)`)
  print()
  print(throughputTable(entries, { bare: results[dialect].down.get('bare') }))
}

/**
 * No-op `up` and `status` as whole processes with `history` migrations applied. For a history
 * that the `up` measurement built, every contender's CLI runs on its own database; a longer
 * history is built by `mig up` alone (its time and memory are recorded) and measured for mig
 * and the baselines only.
 */
async function measureStartup(dialect, history) {
  const migTarget = databases.target(dialect, 'mig-cli', history)
  const migDirectory = migrationsOf('mig', history)
  const peers = plan.upSizes.includes(history)
  if (!peers) {
    await databases.reset(migTarget)
    const contender = CONTENDERS.find((candidate) => candidate.id === 'mig-cli')
    progress(`${dialect}: building a history of ${history} with mig up`)
    const built = await timeProcess(await contender.cli.up(migTarget, migDirectory, work), { cwd: work })
    const tables = await countWorkloadTables(migTarget)
    if (tables !== history) throw new Error(`mig up left ${tables} of ${history} workload tables on ${dialect}`)
    results[dialect].memory.push({ label: `mig up of ${history.toLocaleString('en')} from empty (CLI)`, dialect, ...built })
  }
  const commands = baselineCommands(migTarget, migDirectory).map((baseline) => ({ ...baseline, op: 'baseline' }))
  for (const contender of CONTENDERS) {
    if (!contender.cli || !contender.dialects.includes(dialect) || (!peers && !contender.id.startsWith('mig'))) continue
    const target = databases.target(dialect, contender.id, history)
    const directory = migrationsOf(contender.format, history)
    for (const op of ['up', 'status']) {
      const command = await contender.cli[op]?.(target, directory, work)
      if (command)
        commands.push({ id: `${contender.id}:${op}`, label: `${contender.label} ${op === 'up' ? 'no-op `up`' : '`status`'}`, op, command })
    }
  }
  const samples = new Map(commands.map((command) => [command.id, { ms: [], rss: [] }]))
  for (let run = plan.warmUp ? -1 : 0; run < plan.startupRuns; run++) {
    for (const command of rotated(commands, Math.max(run, 0))) {
      const measured = await timeProcess(command.command, { cwd: work })
      if (run < 0) continue
      samples.get(command.id).ms.push(measured.ms)
      if (measured.maxRssKb) samples.get(command.id).rss.push(measured.maxRssKb)
    }
    progress(`${dialect} start-up with ${history} applied: run ${run + 1}/${plan.startupRuns}`)
  }
  const entries = commands.map((command) => {
    const { ms, rss } = samples.get(command.id)
    return { ...command, summary: summarise(ms), rss: rss.length ? summarise(rss) : undefined }
  })
  results[dialect].startup[history] = new Map(entries.map((entry) => [entry.id, entry]))
  for (const entry of entries.filter((candidate) => candidate.id.startsWith('mig-cli:') && candidate.rss)) {
    results[dialect].memory.push({
      label: `mig ${entry.op === 'up' ? 'no-op up' : 'status'} with ${history.toLocaleString('en')} applied (CLI)`,
      dialect,
      ms: entry.summary.median,
      maxRssKb: entry.rss.max,
    })
  }
  print()
  print(
    `### No-op \`up\` and \`status\` with ${history.toLocaleString('en')} applied, whole processes (${dialect}, ${plan.startupRuns} runs)`,
  )
  print()
  const byId = results[dialect].startup[history]
  print(startupTable(entries, { node: byId.get('node')?.summary, bareScript: byId.get('bare-script')?.summary }))
}
