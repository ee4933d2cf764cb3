import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseError, fromList, MigrationFailedError, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-fk-'))
  filename = join(folder, 'app.db')
})

afterEach(() => rm(folder, { recursive: true, force: true }))

function rows(sql: string): unknown[] {
  const database = new Database(filename, { readonly: true })
  try {
    return database.prepare(sql).all()
  } finally {
    database.close()
  }
}

const schema = `
CREATE TABLE identities (id TEXT PRIMARY KEY, traits TEXT NOT NULL);
CREATE TABLE identity_credentials (
  id TEXT PRIMARY KEY,
  identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE
);
INSERT INTO identities VALUES ('i1', '{}');
INSERT INTO identity_credentials VALUES ('c1', 'i1');`

/** SQLite's documented procedure for a change ALTER TABLE cannot make, as real migrations write it. */
const rebuild = (column: string, copy = 'SELECT * FROM identities') => `
CREATE TABLE _identities_tmp (id TEXT PRIMARY KEY, traits TEXT NOT NULL${column});
INSERT INTO _identities_tmp ${copy};
DROP TABLE identities;
ALTER TABLE _identities_tmp RENAME TO identities;`

describe('SQLite table rebuilds', () => {
  it('a parent rebuild keeps every child row, over three consecutive rebuilds', async () => {
    const migrator = new Migrator({
      driver: sqliteDriver({ filename }),
      source: fromList([
        { version: 1, name: 'identities', up: schema },
        {
          version: 2,
          name: 'add_state',
          up: rebuild(", state TEXT NOT NULL DEFAULT 'active'", "SELECT id, traits, 'active' FROM identities"),
        },
        { version: 3, name: 'add_created', up: rebuild(', state TEXT, created TEXT', 'SELECT id, traits, state, NULL FROM identities') },
        { version: 4, name: 'drop_created', up: rebuild(', state TEXT', 'SELECT id, traits, state FROM identities') },
      ]),
    })
    await migrator.up()
    expect(rows('SELECT id, identity_id FROM identity_credentials')).toEqual([{ id: 'c1', identity_id: 'i1' }])
    expect(rows('PRAGMA foreign_key_check')).toEqual([])
  })

  it('a rebuild split over one migration per statement, as some tools write it, keeps every child row', async () => {
    const [create, copy, drop, rename] = rebuild(", state TEXT NOT NULL DEFAULT 'active'", "SELECT id, traits, 'active' FROM identities")
      .trim()
      .split('\n')
    const migrator = new Migrator({
      driver: sqliteDriver({ filename }),
      source: fromList([
        { version: 1, name: 'identities', up: schema },
        { version: 2, name: 'create', up: create as string },
        { version: 3, name: 'copy', up: copy as string },
        { version: 4, name: 'drop', up: drop as string },
        { version: 5, name: 'rename', up: rename as string },
      ]),
    })
    await migrator.up()
    expect(rows('SELECT id, identity_id FROM identity_credentials')).toEqual([{ id: 'c1', identity_id: 'i1' }])
    expect(rows('PRAGMA foreign_key_check')).toEqual([])
  })

  it('a rebuild that would orphan child rows is refused, rolled back, and the violating rows are named', async () => {
    const migrator = new Migrator({
      driver: sqliteDriver({ filename }),
      source: fromList([
        { version: 1, name: 'identities', up: schema },
        { version: 2, name: 'lossy_rebuild', up: rebuild('', "SELECT * FROM identities WHERE id <> 'i1'") },
      ]),
    })
    const failure = await migrator.up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    const error = failure as MigrationFailedError
    expect(error.migration.file).toBe('2_lossy_rebuild')
    expect(error.rolledBack).toBe(true)
    expect(error.message).toMatch(/1 row of identity_credentials \(rowid 1\) refers to missing rows of identities/)
    expect(error.message).toMatch(/Its changes were rolled back/)
    expect(rows('SELECT id FROM identities')).toEqual([{ id: 'i1' }])
    expect(rows('SELECT version FROM mig_migrations').length).toBe(1)
  })

  it('rows that pointed at nothing before a migration do not fail it; a row the migration orphans still does', async () => {
    await new Migrator({ driver: sqliteDriver({ filename }), source: fromList([{ version: 1, name: 'identities', up: schema }]) }).up()
    // The application wrote an orphan while enforcement was off.
    const application = new Database(filename)
    application.pragma('foreign_keys = OFF')
    application.exec("INSERT INTO identity_credentials VALUES ('c0', 'gone')")
    application.close()

    const source = fromList([
      { version: 1, name: 'identities', up: schema },
      { version: 2, name: 'notes', up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY);' },
      { version: 3, name: 'orphan', up: "INSERT INTO identity_credentials VALUES ('c2', 'nobody');" },
    ])
    const failure = await new Migrator({ driver: sqliteDriver({ filename }), source }).up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    const error = failure as MigrationFailedError
    expect(error.migration.file).toBe('3_orphan')
    expect(error.message).toMatch(/1 row of identity_credentials \(rowid 3\) refers to missing rows of identities/)
    expect(rows('SELECT version FROM mig_migrations ORDER BY version')).toEqual([{ version: '1' }, { version: '2' }])
    expect(rows('SELECT id FROM identity_credentials ORDER BY id')).toEqual([{ id: 'c0' }, { id: 'c1' }])
  })

  it('a foreign key that refers to no key of its parent is reported before the migration runs', async () => {
    const application = new Database(filename)
    application.exec(
      'CREATE TABLE parents (code TEXT); CREATE TABLE children (id INTEGER PRIMARY KEY, code TEXT REFERENCES parents (code));',
    )
    application.close()
    const source = fromList([{ version: 1, name: 'notes', up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY);' }])
    const failure = await new Migrator({ driver: sqliteDriver({ filename }), source }).up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(DatabaseError)
    expect((failure as Error).message).toMatch(/foreign key mismatch - "children" referencing "parents"/)
    expect((failure as Error).message).toMatch(/PRIMARY KEY or to columns with a UNIQUE index/)
    expect(rows("SELECT name FROM sqlite_master WHERE name = 'notes'")).toEqual([])
  })

  it('puts foreign key enforcement back on the connection after each migration, committed or not', async () => {
    const database = new Database(filename)
    try {
      const migrator = new Migrator({
        driver: sqliteDriver({ database }),
        source: fromList([
          { version: 1, name: 'identities', up: schema },
          { version: 2, name: 'fails', up: 'CREATE TABLE broken (;' },
        ]),
      })
      await expect(migrator.up()).rejects.toThrow(MigrationFailedError)
      expect(database.pragma('foreign_keys', { simple: true })).toBe(1)
      // The application's own deletes still cascade.
      database.exec("DELETE FROM identities WHERE id = 'i1'")
      expect(database.prepare('SELECT COUNT(*) AS n FROM identity_credentials').get()).toEqual({ n: 0 })
    } finally {
      database.close()
    }
  })

  it('leaves a connection opened without foreign keys as it was, and checks nothing it never enforced', async () => {
    const database = new Database(filename)
    database.pragma('foreign_keys = OFF')
    try {
      const migrator = new Migrator({
        driver: sqliteDriver({ database }),
        source: fromList([
          { version: 1, name: 'identities', up: schema },
          { version: 2, name: 'orphans', up: "INSERT INTO identity_credentials VALUES ('c2', 'nobody');" },
        ]),
      })
      await migrator.up()
      expect(database.pragma('foreign_keys', { simple: true })).toBe(0)
      expect(database.prepare('SELECT COUNT(*) AS n FROM identity_credentials').get()).toEqual({ n: 2 })
    } finally {
      database.close()
    }
  })
})
