import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromList, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-upgrade-'))
  filename = join(folder, 'app.db')
})

afterEach(() => rm(folder, { recursive: true, force: true }))

/** The history table exactly as mig 0.x created and filled it. */
function createOlderHistory(): void {
  const database = new Database(filename)
  try {
    database.exec(`CREATE TABLE a (id INTEGER);
CREATE TABLE "mig_migrations" (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('applied', 'baselined', 'failed')),
  applied_at TEXT NOT NULL,
  execution_ms INTEGER NOT NULL,
  applied_by TEXT NOT NULL,
  detail TEXT
)`)
    database
      .prepare(
        'INSERT INTO mig_migrations (version, name, checksum, state, applied_at, execution_ms, applied_by, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(1, 'create_a', checksumOfA, 'applied', '2026-01-01T00:00:00.000Z', 3, 'old@host', null)
  } finally {
    database.close()
  }
}

/** The lock table an older mig left behind: created at its first run, empty between runs. */
function createOlderLockTable(): void {
  const database = new Database(filename)
  try {
    database.exec(OLDER_LOCK_TABLE)
  } finally {
    database.close()
  }
}

const OLDER_LOCK_TABLE =
  'CREATE TABLE IF NOT EXISTS "mig_migrations_lock" (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL)'

/** The statements an older mig ran to take its lock; true when it got it. */
function takeOlderLock(database: Database.Database): boolean {
  database.exec(OLDER_LOCK_TABLE)
  if (database.prepare('SELECT owner, pid, host, acquired_at FROM "mig_migrations_lock" WHERE id = 1').get()) return false
  const inserted = database
    .prepare('INSERT OR IGNORE INTO "mig_migrations_lock" (id, owner, pid, host, acquired_at) VALUES (1, ?, ?, ?, ?)')
    .run('older', process.pid, 'old-host', new Date().toISOString())
  return inserted.changes === 1
}

const first = { version: 1, name: 'create_a', up: 'CREATE TABLE a (id INTEGER)', down: 'DROP TABLE a' }
const second = { version: 2, name: 'create_b', up: 'CREATE TABLE b (id INTEGER)', down: 'DROP TABLE b' }
let checksumOfA = ''

function columns(): string[] {
  const database = new Database(filename, { readonly: true })
  try {
    return (database.prepare("SELECT name FROM pragma_table_info('mig_migrations')").all() as { name: string }[]).map((row) => row.name)
  } finally {
    database.close()
  }
}

describe('a history table made by an older mig', () => {
  it('is read as it is by read-only commands, and upgraded in place, every row kept, before the first write', async () => {
    const source = fromList([first, second])
    checksumOfA = (await source.list())[0]?.checksum as string
    createOlderHistory()
    const migrator = new Migrator({ driver: sqliteDriver({ filename }), source })
    expect((await migrator.status()).map((status) => [status.version, status.state, status.appliedBy])).toEqual([
      [1, 'applied', 'old@host'],
      [2, 'pending', undefined],
    ])
    expect(columns()).not.toContain('down_sql')
    await migrator.up()
    expect(columns()).toEqual(expect.arrayContaining(['version', 'file', 'down_sql']))
    const statuses = await migrator.status()
    expect(statuses.map((status) => [status.version, status.state, status.file])).toEqual([
      [1, 'applied', '1_create_a'],
      [2, 'applied', '2_create_b'],
    ])
    await migrator.down({ all: true })
    expect(await migrator.status()).toEqual([expect.objectContaining({ state: 'pending' }), expect.objectContaining({ state: 'pending' })])
  })

  it('shuts out the writes of an older mig with the fix, while its reads keep working and every row keeps its checksum', async () => {
    const source = fromList([first, second])
    checksumOfA = (await source.list())[0]?.checksum as string
    createOlderHistory()
    createOlderLockTable()
    await new Migrator({ driver: sqliteDriver({ filename }), source }).up()
    const database = new Database(filename)
    try {
      // What an older mig reads: every row, with its checksum as it recorded it.
      const rows = database.prepare('SELECT * FROM mig_migrations ORDER BY version').all() as Record<string, unknown>[]
      expect(rows.map((row) => [Number(row.version), row.checksum, row.applied_by])).toEqual([
        [1, checksumOfA, 'old@host'],
        [2, expect.stringMatching(/^sha256:/), expect.any(String)],
      ])
      // An older mig binds versions as doubles: against the upgraded table its `down` would
      // match no row (TEXT '2' is not 2.0), reverting the schema while history still says applied.
      expect(database.prepare('SELECT COUNT(*) AS n FROM mig_migrations WHERE version = ?').get(2)).toEqual({ n: 0 })
      // So its lock, the first thing it writes, is refused, naming the fix.
      expect(() => takeOlderLock(database)).toThrow(/migrated by a newer mig now.*Run the newer mig/)
    } finally {
      database.close()
    }
    expect((await new Migrator({ driver: sqliteDriver({ filename }), source }).status()).map((status) => status.state)).toEqual([
      'applied',
      'applied',
    ])
  })

  it('keeps an older runner that starts during a newer run from taking the lock, so nothing is applied twice', async () => {
    const source = fromList([first, second])
    checksumOfA = (await source.list())[0]?.checksum as string
    createOlderHistory()
    createOlderLockTable()
    const migrator = new Migrator({ driver: sqliteDriver({ filename }), source })
    const attempts: unknown[] = []
    // Between two migrations of the newer run (a rolling deploy: the old replica starts now).
    migrator.on('migrated', () => {
      const database = new Database(filename, { timeout: 0 })
      try {
        attempts.push(takeOlderLock(database))
      } catch (error) {
        attempts.push((error as Error).message)
      } finally {
        database.close()
      }
    })
    await migrator.up()
    expect(attempts).toEqual([expect.stringMatching(/migrated by a newer mig now/)])
  })

  it('waits for an older runner that holds its lock row, and changes nothing meanwhile', async () => {
    createOlderHistory()
    createOlderLockTable()
    const database = new Database(filename)
    try {
      expect(takeOlderLock(database)).toBe(true)
    } finally {
      database.close()
    }
    const error = await new Migrator({ driver: sqliteDriver({ filename }), source: fromList([first, second]), lockTimeoutMs: 200 })
      .up()
      .catch((caught: unknown) => caught)
    expect((error as Error).message).toMatch(/pid \d+ on old-host/)
    expect(columns()).not.toContain('down_sql')
  })

  it('takes repeatable migrations without changing for them: they are recorded in a table of their own', async () => {
    const view = 'DROP VIEW IF EXISTS a_ids;\nCREATE VIEW a_ids AS SELECT id FROM a;\n'
    const source = fromList([first, second, { file: 'repeatable/a_ids.sql', content: view }])
    checksumOfA = (await source.list())[0]?.checksum as string
    createOlderHistory()
    const migrator = new Migrator({ driver: sqliteDriver({ filename }), source })
    expect(await migrator.repeatables()).toEqual([expect.objectContaining({ file: 'repeatable/a_ids.sql', state: 'new' })])
    const result = await migrator.up()
    expect(result.migrations.map((migration) => migration.file)).toEqual(['2_create_b', 'repeatable/a_ids.sql'])
    const database = new Database(filename, { readonly: true })
    try {
      expect(database.prepare('SELECT version FROM mig_migrations ORDER BY version').all()).toEqual([{ version: '1' }, { version: '2' }])
      expect(database.prepare('SELECT name, file FROM mig_migrations_repeatable').all()).toEqual([
        { name: 'a_ids', file: 'repeatable/a_ids.sql' },
      ])
      expect(database.prepare('SELECT COUNT(*) AS n FROM a_ids').get()).toEqual({ n: 0 })
    } finally {
      database.close()
    }
    expect(await migrator.repeatables()).toEqual([expect.objectContaining({ state: 'up-to-date' })])
  })
})
