import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fromList, LockTimeoutError, Migrator } from '@mig/core'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { withClient } from './support/database-snapshot.js'
import { finish, RunnerProcess } from './support/runner-process.js'
import { createPostgresDatabase, createSqliteDatabase, type SafetyDatabase } from './support/safety-database.js'
import { countFailures, reportFigures, temporaryFolder } from './support/suite-results.js'

const figures = { holdersKilled: 0, lockTakenOverAfterKill: 0, lockSessionsTerminated: 0, foreignLocksRefusedInTime: 0, failures: 0 }

async function writeMigrations(folder: string, files: Record<string, string>): Promise<string> {
  await mkdir(folder, { recursive: true })
  for (const [file, content] of Object.entries(files)) await writeFile(join(folder, file), content)
  return folder
}

/** A source with one pending migration, so that `up` needs the lock (with nothing pending it does not take it). */
const PENDING = fromList([{ version: 999, name: 'needs_the_lock', up: 'CREATE TABLE needs_the_lock (id INTEGER)' }])

/** A migrator whose lock wait is short: it proves the lock is busy without waiting for long. */
function impatient(database: SafetyDatabase, lockTimeoutMs = 300) {
  return new Migrator({ driver: database.driver(), source: PENDING, lockTimeoutMs })
}

countFailures(figures)

let folder: Awaited<ReturnType<typeof temporaryFolder>>
let database: SafetyDatabase | undefined
beforeAll(async () => {
  folder = await temporaryFolder('lock')
})
afterEach(async () => {
  await database?.drop()
  database = undefined
})
afterAll(async () => {
  await folder?.remove()
  reportFigures('lock-loss', figures)
})

describe('lock loss on PostgreSQL', () => {
  it('a runner killed while holding the session lock frees it: the next runner takes it and applies the migration once', async () => {
    database = await createPostgresDatabase(inject('postgresUrl'))
    const migrations = await writeMigrations(join(folder.path, 'pg-kill'), {
      '0001_slow.sql': '-- mig:up\nCREATE TABLE slow (id INTEGER);\nSELECT pg_sleep(2);\n',
      '0002_after.sql': '-- mig:up\nCREATE TABLE after_slow (id INTEGER);\n',
    })
    const holder = new RunnerProcess({ dialect: 'postgres', target: database.target, migrations })
    expect(await holder.waitForEvent('migrating', 30_000)).toBe(true)
    const busy = await impatient(database)
      .up()
      .catch((error: unknown) => error)
    expect(busy).toBeInstanceOf(LockTimeoutError)
    expect((busy as LockTimeoutError).holder).toMatchObject({ applicationName: 'mig' })

    holder.kill()
    await finish(holder, 30_000)
    figures.holdersKilled++
    // The server drops the killed runner's idle lock session at once; its migration session
    // finishes the statement it was running first, and the next runner waits for that, not forever.
    const next = new RunnerProcess({ dialect: 'postgres', target: database.target, migrations, lockTimeoutMs: 30_000 })
    const exit = await finish(next, 60_000)
    expect([exit.code, exit.events.at(-1)], exit.stderr).toEqual([0, { event: 'done', applied: [1, 2] }])
    figures.lockTakenOverAfterKill++
    expect((await database.history()).map((row) => [row.version, row.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ])
    const locks = await withClient(database.target, (client) =>
      // Only this database's: other suites share the server.
      client.query(
        "SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())",
      ),
    )
    expect(locks.rowCount).toBe(0)
  })

  it('a runner whose lock session is terminated stops before running more SQL; the next runner finishes', async () => {
    database = await createPostgresDatabase(inject('postgresUrl'))
    const migrations = await writeMigrations(join(folder.path, 'pg-terminate'), {
      '0001_slow.sql': '-- mig:up\nCREATE TABLE slow (id INTEGER);\nSELECT pg_sleep(1);\n',
      '0002_after.sql': '-- mig:up\nCREATE TABLE after_slow (id INTEGER);\n',
    })
    const runner = new RunnerProcess({ dialect: 'postgres', target: database.target, migrations })
    expect(await runner.waitForEvent('migrating', 30_000)).toBe(true)
    const terminated = await withClient(database.target, (client) =>
      client.query(
        `SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_locks
          WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())`,
      ),
    )
    expect(terminated.rowCount).toBe(1)
    figures.lockSessionsTerminated++
    const exit = await finish(runner, 60_000)
    expect(exit.code, exit.stderr).toBe(1)
    expect(exit.events.at(-1)?.message).toMatch(/lock/)
    // Migration 1 was running when the lock went: it is either committed whole with its row or
    // rolled back whole; migration 2, which would have started without the lock, never ran.
    const history = (await database.history()).map((row) => row.version)
    expect([[], [1]]).toContainEqual(history)
    const tables = await withClient(database.target, (client) =>
      client.query<{ slow: string | null; after: string | null }>("SELECT to_regclass('slow') AS slow, to_regclass('after_slow') AS after"),
    )
    expect(tables.rows[0]).toEqual({ slow: history.length ? 'slow' : null, after: null })

    const next = new RunnerProcess({ dialect: 'postgres', target: database.target, migrations, lockTimeoutMs: 30_000 })
    const finished = await finish(next, 60_000)
    expect([finished.code, finished.events.at(-1)?.event], finished.stderr).toEqual([0, 'done'])
    expect((await database.history()).map((row) => row.version)).toEqual([1, 2])
  })
})

describe('lock loss on SQLite', () => {
  /** Lock rows of the older mig versions, which kept the lock in the database itself. */
  const lockRows = (filename: string) => {
    const handle = new Database(filename, { fileMustExist: true, timeout: 10_000 })
    try {
      const exists = handle.prepare("SELECT 1 FROM sqlite_master WHERE name = 'mig_migrations_lock'").get()
      return exists ? (handle.prepare('SELECT pid, host FROM mig_migrations_lock').all() as { pid: number; host: string }[]) : []
    } finally {
      handle.close()
    }
  }

  it('a runner killed while holding the lock loses it with its process: the next runner takes it over at once', async () => {
    database = createSqliteDatabase(folder.path, 'sqlite-kill')
    const migrations = await writeMigrations(join(folder.path, 'sqlite-kill-migrations'), {
      '0001_slow.sql':
        '-- mig:up\nCREATE TABLE slow AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) SELECT count(*) AS c FROM n;\n',
      '0002_after.sql': '-- mig:up\nCREATE TABLE after_slow (id INTEGER);\n',
    })
    const holder = new RunnerProcess({ dialect: 'sqlite', target: database.target, migrations })
    expect(await holder.waitForEvent('migrating', 30_000)).toBe(true)
    await sleep(100)
    holder.kill()
    await finish(holder, 30_000)
    figures.holdersKilled++
    // The lock was an open transaction on the lock file beside the database; nothing is left in the database.
    expect(lockRows(database.target)).toEqual([])

    const next = new RunnerProcess({ dialect: 'sqlite', target: database.target, migrations, lockTimeoutMs: 30_000 })
    const exit = await finish(next, 60_000)
    expect([exit.code, exit.events.at(-1)], exit.stderr).toEqual([0, { event: 'done', applied: [1, 2] }])
    figures.lockTakenOverAfterKill++
    expect(lockRows(database.target)).toEqual([])
    expect((await database.history()).map((row) => [row.version, row.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
    ])
  })

  it('a lock row of an older mig version is not broken, but refused with a LockTimeoutError naming the holder and how to clear it', async () => {
    database = createSqliteDatabase(folder.path, 'sqlite-foreign')
    const handle = new Database(database.target, { timeout: 10_000 })
    handle.exec(
      'CREATE TABLE mig_migrations_lock (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL)',
    )
    handle.prepare('INSERT INTO mig_migrations_lock VALUES (1, ?, 4242, ?, ?)').run('elsewhere', 'build-server-7', new Date().toISOString())
    handle.close()
    const failure = await impatient(database, 500)
      .up()
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(LockTimeoutError)
    expect((failure as LockTimeoutError).message).toContain('pid 4242 on build-server-7')
    expect((failure as LockTimeoutError).message).toContain('clear the lock by hand: sqlite3')
    expect(await database.history()).toEqual([])
    figures.foreignLocksRefusedInTime++
  })
})
