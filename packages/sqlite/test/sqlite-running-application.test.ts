import { spawn } from 'node:child_process'
import { chmod, chown, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseError, fromList, MigrationFailedError, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const holdWriteChild = new URL('./fixtures/hold-write-child.mjs', import.meta.url).pathname
const source = fromList([{ version: 1, name: 'users', up: 'CREATE TABLE users (id INTEGER PRIMARY KEY)' }])

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-application-'))
  filename = join(folder, 'app.db')
})

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

/** Another process writing to the database: holds its write transaction for `holdMs`. */
async function applicationWriting(holdMs: number): Promise<{ done: Promise<void> }> {
  const application = spawn(process.execPath, [holdWriteChild, filename, String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const done = new Promise<void>((resolve) => application.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    application.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve())
    application.once('exit', (code) => reject(new Error(`the application exited with ${code}`)))
  })
  return { done }
}

function tables(database: Database.Database): string[] {
  return (database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (row) => row.name,
  )
}

describe('mig on the connection of a running application', () => {
  it('busyTimeoutMs makes mig wait on the application connection, whose own busy_timeout is put back after', async () => {
    new Database(filename).close()
    const database = new Database(filename, { timeout: 0 })
    try {
      const other = await applicationWriting(1_000)
      const result = await new Migrator({ driver: sqliteDriver({ database, busyTimeoutMs: 20_000 }), source }).up()
      expect(result.migrations.map((migration) => migration.name)).toEqual(['users'])
      expect(tables(database)).toEqual(['app_events', 'mig_migrations', 'users'])
      expect(database.pragma('busy_timeout', { simple: true })).toBe(0)
      await other.done
    } finally {
      database.close()
    }
  })

  it("without busyTimeoutMs keeps the connection's own timeout, and the busy error says how long it waited", async () => {
    new Database(filename).close()
    const database = new Database(filename, { timeout: 0 })
    try {
      const other = await applicationWriting(1_000)
      const error = await new Migrator({ driver: sqliteDriver({ database }), source }).up().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(DatabaseError)
      expect((error as Error).message).toContain(
        `The SQLite database ${filename} stayed locked by another connection for longer than mig waits for it (busy_timeout 0 ms)`,
      )
      await other.done
      expect(tables(database)).toEqual(['app_events'])
      expect(database.pragma('busy_timeout', { simple: true })).toBe(0)
    } finally {
      database.close()
    }
  })
})

describe('the lock file of a database the application owns', () => {
  it("takes the database file's owner and permissions, so a deploy as root leaves none the application cannot write", async () => {
    new Database(filename).close()
    await chmod(filename, 0o660)
    // As root, as a deploy often runs, the database belongs to the application's user (nobody here).
    if (process.getuid?.() === 0) await chown(filename, 65534, 65534)
    await new Migrator({ driver: sqliteDriver({ filename }), source }).up()

    const database = await stat(filename)
    const lock = await stat(`${filename}.mig_migrations.lock`)
    expect({ uid: lock.uid, gid: lock.gid, mode: lock.mode & 0o777 }).toEqual({ uid: database.uid, gid: database.gid, mode: 0o660 })
  })
})

describe('a no-transaction migration meeting the application part-way', () => {
  // The application takes the write lock as mig reaches the read, after `a` was committed:
  // with three statements mig is held off before its third, with two before recording it applied.
  it.each([
    [
      'before its next statement',
      'CREATE TABLE a (id INTEGER);\nSELECT count(*) FROM a;\nCREATE TABLE b (id INTEGER);\n',
      'It ran outside a transaction, so part of it may have taken effect; it is recorded as failed.',
    ],
    [
      'before recording it applied',
      'CREATE TABLE a (id INTEGER);\nSELECT count(*) FROM a;\n',
      'it ran to the end, but writing its history row failed',
    ],
  ])('held off %s, it fails as part-way, recorded as failed, with the repair to run', async (_, up, state) => {
    new Database(filename).close()
    const application = new Database(filename, { timeout: 0 })
    const migrator = new Migrator({
      driver: sqliteDriver({ filename, busyTimeoutMs: 100 }),
      source: fromList([{ file: '0001_tables.sql', content: `-- mig:no-transaction\n-- mig:up\n${up}` }]),
    })
    migrator.on('executing', (event) => {
      if (event.sql.startsWith('SELECT')) application.exec('BEGIN IMMEDIATE')
    })
    try {
      const error = await migrator.up().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(MigrationFailedError)
      expect(error).toMatchObject({ rolledBack: false })
      expect((error as Error).message).toContain('stayed locked by another connection')
      expect((error as Error).message).toContain(state)
      expect((error as Error).message).toContain('mig repair 1 --applied')
    } finally {
      if (application.inTransaction) application.exec('ROLLBACK')
    }
    expect(tables(application)).toEqual(['a', 'mig_migrations'])
    expect(application.prepare('SELECT version, state FROM mig_migrations').all()).toEqual([{ version: '1', state: 'failed' }])
    application.close()
  })
})
