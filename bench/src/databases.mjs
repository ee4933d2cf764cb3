import { mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import pg from 'pg'

/**
 * Hands out one database per contender and size: a file under the work folder for SQLite, a
 * database named `mig_bench_<contender>_<size>` on the PostgreSQL server for PostgreSQL. `reset`
 * empties it; `dropAll` removes everything created.
 */
export class Databases {
  constructor({ workDirectory, postgresUrl }) {
    this.workDirectory = workDirectory
    this.postgresUrl = postgresUrl
    this.created = new Set()
    this.admin = undefined
  }

  target(dialect, id, size) {
    const name = `mig_bench_${id.replace(/[^a-z0-9]/g, '_')}_${size}`
    if (dialect === 'sqlite') return { dialect, filename: join(this.workDirectory, 'sqlite', `${name}.db`) }
    const url = new URL(this.postgresUrl)
    url.pathname = `/${name}`
    return { dialect, url: url.href, database: name }
  }

  async reset(target) {
    if (target.dialect === 'sqlite') {
      await mkdir(dirname(target.filename), { recursive: true })
      await Promise.all(['', '-journal', '-wal', '-shm'].map((suffix) => rm(`${target.filename}${suffix}`, { force: true })))
      return
    }
    const admin = await this.connectAdmin()
    await admin.query(`DROP DATABASE IF EXISTS "${target.database}" WITH (FORCE)`)
    await admin.query(`CREATE DATABASE "${target.database}"`)
    this.created.add(target.database)
  }

  async connectAdmin() {
    if (!this.admin) {
      this.admin = new pg.Client({ connectionString: this.postgresUrl })
      await this.admin.connect()
    }
    return this.admin
  }

  async dropAll() {
    if (!this.admin) return
    for (const database of this.created) await this.admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
    await this.admin.end()
  }
}

/** How many workload tables the target holds: the check that a tool really applied (or reverted) everything. */
export async function countWorkloadTables(target) {
  if (target.dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const database = new Database(target.filename, { readonly: true, fileMustExist: true })
    try {
      return database
        .prepare("SELECT count(*) AS count FROM sqlite_master WHERE type = 'table' AND name LIKE 'bench\\_%' ESCAPE '\\'")
        .get().count
    } finally {
      database.close()
    }
  }
  const client = new pg.Client({ connectionString: target.url })
  await client.connect()
  try {
    const { rows } = await client.query(
      "SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'bench\\_%'",
    )
    return rows[0].count
  } finally {
    await client.end()
  }
}

/**
 * The PostgreSQL server a benchmark runs on: MIG_BENCH_POSTGRES_URL, else the test suites' server
 * (the local one, or a throwaway one started for the run). `stop` stops only what was started.
 */
export async function findPostgres() {
  const url = process.env.MIG_BENCH_POSTGRES_URL
  if (url) return { url, source: 'MIG_BENCH_POSTGRES_URL', stop: async () => {} }
  const { startTestPostgres } = await import('@mig-internal/test-postgres')
  const server = await startTestPostgres()
  return { ...server, source: server.source === 'embedded' ? 'embedded, started for this run, fsync off' : 'local server' }
}
