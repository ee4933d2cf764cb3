import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromList, MigrationFailedError, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-history-write-'))
  filename = join(folder, 'app.db')
  await migrator({ up: 'SELECT 1;' }).up({ to: 1 })
})

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

function migrator(migration: { up: string; transaction?: boolean }) {
  return new Migrator({
    driver: sqliteDriver({ filename }),
    source: fromList([
      { version: 1, name: 'first', up: 'SELECT 1;' },
      { version: 2, name: 'second', ...migration },
    ]),
  })
}

function onDatabase<T>(work: (database: Database.Database) => T): T {
  const database = new Database(filename)
  try {
    return work(database)
  } finally {
    database.close()
  }
}

/** A trigger of the database's own that refuses to record version 2 as applied. */
function refuseHistoryWrites(): void {
  onDatabase((database) =>
    database.exec(`
      CREATE TRIGGER refuse_insert BEFORE INSERT ON mig_migrations WHEN NEW.version = '2' AND NEW.state = 'applied'
        BEGIN SELECT RAISE(ABORT, 'the history table is read-only today'); END;
      CREATE TRIGGER refuse_update BEFORE UPDATE ON mig_migrations WHEN NEW.version = '2' AND NEW.state = 'applied'
        BEGIN SELECT RAISE(ABORT, 'the history table is read-only today'); END;`),
  )
}

const failureOf = (run: Promise<unknown>) => run.then(() => undefined).catch((error: unknown) => error as MigrationFailedError)
const GADGETS = 'CREATE TABLE gadgets (id INTEGER);\nINSERT INTO gadgets VALUES (1);'

describe('the history write after a migration on SQLite', () => {
  it('in a transaction: says the history write failed and the migration was rolled back with it', async () => {
    refuseHistoryWrites()
    const failure = await failureOf(migrator({ up: GADGETS }).up())
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect(failure).toMatchObject({ stage: 'history', rolledBack: true, position: undefined })
    expect(failure?.message).toContain('it ran to the end, but writing its history row failed: the history table is read-only today')
    expect(failure?.message).toContain('Its changes were rolled back, so it is still pending.')
    onDatabase((database) => {
      expect(database.prepare("SELECT name FROM sqlite_master WHERE name = 'gadgets'").all()).toEqual([])
      expect(database.prepare('SELECT CAST(version AS INTEGER) AS version FROM mig_migrations').all()).toEqual([{ version: 1 }])
    })
  })

  it('outside a transaction: says it ran to the end, and history keeps it as failed with that detail', async () => {
    refuseHistoryWrites()
    const failure = await failureOf(migrator({ up: GADGETS, transaction: false }).up())
    expect(failure).toMatchObject({ stage: 'history', rolledBack: false })
    expect(failure?.message).toContain('then record the outcome with `mig repair 2 --applied`.')
    onDatabase((database) => {
      expect(database.prepare('SELECT id FROM gadgets').all()).toEqual([{ id: 1 }])
      const row = database.prepare('SELECT state, detail FROM mig_migrations WHERE version = 2').get() as { state: string; detail: string }
      expect(row.state).toBe('failed')
      expect(row.detail).toMatch(/^ran to the end, but writing its history row failed: the history table is read-only today/)
    })
  })

  it('records as execution_ms the duration its migrated event reports', async () => {
    for (const transaction of [true, false]) {
      onDatabase((database) => database.exec('DROP TABLE IF EXISTS gadgets; DELETE FROM mig_migrations WHERE version = 2'))
      const run = migrator({ up: GADGETS, transaction })
      const reported: number[] = []
      run.on('migrated', (event) => reported.push(event.durationMs))
      await run.up()
      const recorded = onDatabase(
        (database) => database.prepare('SELECT execution_ms FROM mig_migrations WHERE version = 2').get() as { execution_ms: number },
      )
      expect(reported, `transaction: ${transaction}`).toEqual([recorded.execution_ms])
    }
  })
})
