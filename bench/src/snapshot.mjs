/**
 * `pnpm bench:snapshot`: how long mig takes to snapshot (and to dump) a schema of 2,000 tables,
 * each with a primary key, a foreign key, a unique constraint, a check and an index, on a SQLite
 * file and on PostgreSQL. The target is under a second. Prints one markdown table on stdout.
 *
 * Options: --tables N (default 2000), --runs N (default 5), --dialects sqlite,postgres.
 * PostgreSQL: MIG_BENCH_POSTGRES_URL, else the server the test suites use.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fromList, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import pg from 'pg'
import { findPostgres } from './databases.mjs'
import { markdownTable } from './report.mjs'
import { formatMs, formatRange, summarise } from './stats.mjs'

const { values: flags } = parseArgs({
  options: {
    tables: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '5' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
  },
})
const tableCount = Number(flags.tables)
const runs = Number(flags.runs)
const TARGET_MS = 1000

/** The schema, its names prefixed so that each run's tables are new to every cache; one string per table. */
function schema(prefix) {
  return Array.from({ length: tableCount }, (_, index) => {
    const table = `${prefix}_${index}`
    const parent = index === 0 ? '' : `parent_id INTEGER REFERENCES ${prefix}_${index - 1} (id), `
    return (
      `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, ${parent}code TEXT NOT NULL UNIQUE, ` +
      `amount INTEGER CHECK (amount >= 0), created_at TEXT);\nCREATE INDEX ${table}_created ON ${table} (created_at);`
    )
  })
}

async function time(work) {
  const started = performance.now()
  const result = await work()
  return { ms: performance.now() - started, result }
}

const migratorOn = (driver) => new Migrator({ driver, source: fromList([]) })

async function sqlite() {
  const folder = await mkdtemp(join(tmpdir(), 'mig-bench-snapshot-'))
  try {
    const cold = []
    const warm = []
    const dumps = []
    for (let run = 0; run < runs; run++) {
      const filename = join(folder, `run${run}.db`)
      const database = new Database(filename)
      database.exec(`BEGIN;\n${schema(`t${run}`).join('\n')}\nCOMMIT;`)
      database.close()
      const migrator = migratorOn(sqliteDriver({ filename }))
      const first = await time(() => migrator.describeSchema())
      if (first.result.tables.length !== tableCount) throw new Error(`SQLite snapshot holds ${first.result.tables.length} tables`)
      cold.push(first.ms)
      warm.push((await time(() => migrator.describeSchema())).ms)
      dumps.push((await time(() => migrator.dump())).ms)
    }
    return [
      ['SQLite file', 'snapshot, first (every table read)', cold],
      ['SQLite file', 'snapshot, again (tables unchanged)', warm],
      ['SQLite file', 'dump', dumps],
    ]
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}

async function postgres() {
  const server = await findPostgres()
  const serverUrl = server.url
  const name = 'mig_bench_snapshot'
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${name}`)
    const client = new pg.Client({ connectionString: url.href })
    await client.connect()
    // In batches: one transaction over 2,000 tables runs out of lock slots.
    const tables = schema('t')
    for (let start = 0; start < tables.length; start += 100) await client.query(tables.slice(start, start + 100).join('\n'))
    await client.end()
    const migrator = migratorOn(postgresDriver({ connectionString: url.href }))
    const snapshots = []
    const dumps = []
    for (let run = 0; run < runs; run++) {
      const snapshot = await time(() => migrator.describeSchema())
      if (snapshot.result.tables.length !== tableCount) throw new Error(`PostgreSQL snapshot holds ${snapshot.result.tables.length} tables`)
      snapshots.push(snapshot.ms)
      dumps.push((await time(() => migrator.dump())).ms)
    }
    return [
      ['PostgreSQL', 'snapshot (connect included)', snapshots],
      ['PostgreSQL', 'dump', dumps],
    ]
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
    await server.stop()
  }
}

const rows = []
for (const dialect of flags.dialects.split(',').map((item) => item.trim())) {
  process.stderr.write(`${dialect}: ${tableCount} tables, ${runs} runs\n`)
  rows.push(...(dialect === 'sqlite' ? await sqlite() : await postgres()))
}
console.log(
  `#### Snapshot of ${tableCount.toLocaleString('en')} tables (each with a primary key, a foreign key, a unique, a check and an index)\n`,
)
console.log(
  markdownTable(
    ['Database', 'Measured', 'Median', 'Min–max', `Under ${formatMs(TARGET_MS)}`],
    rows.map(([database, measured, values]) => {
      const summary = summarise(values)
      return [database, measured, formatMs(summary.median), formatRange(summary), summary.median < TARGET_MS ? 'yes' : 'no']
    }),
    2,
  ),
)
