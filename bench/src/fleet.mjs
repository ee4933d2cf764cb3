/**
 * `pnpm --filter @mig-internal/bench bench:fleet`: `mig up --fleet` over many databases at
 * concurrency 1, 4 and 8, against the shell loop teams write instead (`mig up` once per target),
 * with wall time and peak memory (RSS of the whole process tree, from GNU time). Prints markdown
 * tables on stdout and progress on stderr.
 *
 * Options: --sqlite N (files, default 1000), --postgres N (databases, default 200),
 * --loop-sample N (targets the shell loop runs, default 100; its time per target is scaled to
 * the fleet), --concurrency 1,4,8. PostgreSQL: MIG_BENCH_POSTGRES_URL, else the server the
 * tests use. Its databases are named mig_bench_fleet_* and dropped at the end.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { findPostgres } from './databases.mjs'
import { describeMachine, formatLoad, sqliteVersion } from './machine.mjs'
import { timeProcess } from './processes.mjs'
import { markdownTable, print, progressReporter, runBenchmark } from './report.mjs'
import { migBin } from './tools/mig.mjs'

const { values: flags } = parseArgs({
  options: {
    sqlite: { type: 'string', default: '1000' },
    postgres: { type: 'string', default: '200' },
    'loop-sample': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1,4,8' },
  },
})
const sizes = { sqlite: Number(flags.sqlite), postgres: Number(flags.postgres) }
const loopSample = Number(flags['loop-sample'])
const concurrencies = flags.concurrency.split(',').map(Number)

const MIGRATIONS = {
  '0001_create_users.sql': '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n-- mig:down\nDROP TABLE users;\n',
  '0002_add_email.sql': '-- mig:up\nALTER TABLE users ADD COLUMN email TEXT;\n-- mig:down\nALTER TABLE users DROP COLUMN email;\n',
  '0003_index_email.sql': '-- mig:up\nCREATE INDEX users_email ON users (email);\n-- mig:down\nDROP INDEX users_email;\n',
}

const progress = progressReporter()
const work = await mkdtemp(join(tmpdir(), 'mig-bench-fleet-'))
const server = sizes.postgres > 0 ? await findPostgres() : undefined
const admin = server ? new pg.Client({ connectionString: server.url }) : undefined
const databases = Array.from({ length: sizes.postgres }, (_, index) => `mig_bench_fleet_${index}`)
const rows = []

await runBenchmark(
  progress,
  async () => {
    await admin?.connect()
    await mkdir(join(work, 'migrations'))
    for (const [file, text] of Object.entries(MIGRATIONS)) await writeFile(join(work, 'migrations', file), text)
    const version = admin ? (await admin.query('SELECT version()')).rows[0].version.replace(/ on .*$/, '') : undefined
    print('# mig fleet benchmark')
    print()
    print(await describeMachine({ postgresVersion: version, sqliteVersion: await sqliteVersion() }))
    if (sizes.sqlite > 0) await measure('SQLite files', sizes.sqlite, resetSqlite, 'sqlite:./tenants/*.db', sqliteUrls, sqliteLoop)
    if (server) {
      progress(`creating ${sizes.postgres} databases`)
      for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      for (const name of databases) await admin.query(`CREATE DATABASE ${name}`)
      await writeFile(join(work, 'postgres-targets.txt'), `${databases.map(databaseUrl).join('\n')}\n`)
      await measure(
        'PostgreSQL databases',
        sizes.postgres,
        resetPostgres,
        '@postgres-targets.txt',
        (count) => databases.slice(0, count).map(databaseUrl),
        postgresLoop,
      )
    }
    print()
    print(
      markdownTable(
        ['targets', 'how', 'concurrency', 'wall time', 'targets/s', 'peak memory'],
        rows.map((row) => [
          row.targets,
          row.how,
          row.concurrency,
          `${(row.ms / 1000).toFixed(1)} s`,
          (row.count / (row.ms / 1000)).toFixed(1),
          row.rss,
        ]),
        2,
      ),
    )
    print()
    print(`Load average at the end: ${formatLoad()}.`)
  },
  async () => {
    for (const name of server ? databases : []) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {})
    await admin?.end()
    await server?.stop()
    await rm(work, { recursive: true, force: true })
  },
)

async function measure(label, count, reset, targets, urlsOf, loop) {
  for (const concurrency of concurrencies) {
    await reset(count)
    progress(`${label}: mig up --fleet, concurrency ${concurrency}`)
    const result = await timeProcess(fleet(targets, concurrency), { cwd: work })
    rows.push({ targets: `${count} ${label}`, how: '`mig up --fleet`', concurrency, count, ms: result.ms, rss: mb(result.maxRssKb) })
  }
  // Flat memory: a tenth of the fleet at concurrency 4 peaks where the whole fleet does.
  const tenth = Math.max(1, Math.round(count / 10))
  await reset(count)
  progress(`${label}: mig up --fleet over ${tenth}, concurrency 4`)
  await writeFile(join(work, 'tenth.txt'), `${urlsOf(tenth).join('\n')}\n`)
  const small = await timeProcess(fleet('@tenth.txt', 4), { cwd: work })
  rows.push({ targets: `${tenth} ${label}`, how: '`mig up --fleet`', concurrency: 4, count: tenth, ms: small.ms, rss: mb(small.maxRssKb) })
  const sample = Math.min(loopSample, count)
  await reset(count)
  progress(`${label}: shell loop over ${sample}`)
  const looped = await timeProcess(loop(sample), { cwd: work })
  const scaled = (looped.ms / sample) * count
  rows.push({
    targets: `${count} ${label}`,
    how: `shell loop of \`mig up\` (${sample} run, time scaled ×${(count / sample).toFixed(0)})`,
    concurrency: 1,
    count,
    ms: scaled,
    rss: `${mb(looped.maxRssKb)} per process`,
  })
}

async function resetSqlite(count) {
  await rm(join(work, 'tenants'), { recursive: true, force: true })
  await mkdir(join(work, 'tenants'))
  for (let index = 0; index < count; index++) await writeFile(join(work, 'tenants', `t${String(index).padStart(5, '0')}.db`), '')
}

function fleet(targets, concurrency) {
  return [process.execPath, [migBin(), 'up', '--fleet', '--targets', targets, '--concurrency', String(concurrency), '--dir', 'migrations']]
}

function sqliteUrls(count) {
  return Array.from({ length: count }, (_, index) => `sqlite:./tenants/t${String(index).padStart(5, '0')}.db`)
}

function sqliteLoop(count) {
  return [
    'bash',
    [
      '-c',
      `for f in $(ls tenants | head -n ${count}); do "${process.execPath}" "${migBin()}" up --url "sqlite:./tenants/$f" --dir migrations >/dev/null || exit 1; done`,
    ],
  ]
}

async function resetPostgres() {
  for (const name of databases) {
    const client = new pg.Client({ connectionString: databaseUrl(name) })
    await client.connect()
    await client.query('DROP TABLE IF EXISTS users, mig_migrations')
    await client.end()
  }
}

function postgresLoop(count) {
  return [
    'bash',
    [
      '-c',
      `head -n ${count} postgres-targets.txt | while read -r url; do "${process.execPath}" "${migBin()}" up --url "$url" --dir migrations >/dev/null || exit 1; done`,
    ],
  ]
}

function databaseUrl(name) {
  return Object.assign(new URL(server.url), { pathname: `/${name}` }).toString()
}

function mb(kilobytes) {
  return kilobytes === undefined ? 'n/a' : `${(kilobytes / 1024).toFixed(0)} MB`
}
