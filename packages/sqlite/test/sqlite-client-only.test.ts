import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromList, InvalidMigrationError, type ListedMigration, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqliteClientOnly } from '../src/sqlite-statement-role.js'

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-client-only-'))
  filename = join(folder, 'app.db')
})

afterEach(() => rm(folder, { recursive: true, force: true }))

const migrator = (...migrations: ListedMigration[]) => new Migrator({ driver: sqliteDriver({ filename }), source: fromList(migrations) })
const query = <Row>(sql: string): Row[] => {
  const database = new Database(filename, { readonly: true })
  try {
    return database.prepare(sql).all() as Row[]
  } finally {
    database.close()
  }
}
const tables = () => query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((row) => row.name)
const history = () => query<{ version: string; state: string }>('SELECT version, state FROM mig_migrations')
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the migration was not refused'),
    (error: unknown) => error as InvalidMigrationError,
  )

const createPeople: ListedMigration = {
  file: '0001_people.sql',
  content: '-- mig:up\nCREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);\n-- mig:down\nDROP TABLE people;\n',
}
// What a sqlite3 session pasted into a migration looks like.
const pastedSession = (header = ''): ListedMigration => ({
  file: '0002_people_rows.sql',
  content: `${header}-- mig:up\nCREATE TABLE teams (id INTEGER);\n.mode csv\n.headers on\n.import people.csv people\nINSERT INTO teams VALUES (1);\n-- mig:down\nDROP TABLE teams;\n`,
})

describe('sqlite3 dot-commands in SQLite migrations', () => {
  it('are refused before anything runs, naming the file, the line and the fix; history is untouched', async () => {
    await migrator(createPeople).up()
    const error = await refusal(migrator(createPeople, pastedSession()).up())
    expect(error).toBeInstanceOf(InvalidMigrationError)
    expect(error).toMatchObject({ code: 'MIG_INVALID_MIGRATION', file: '0002_people_rows.sql', line: 3 })
    expect(error.message).toBe(
      '0002_people_rows.sql:3: .mode in the up section cannot run in a migration: the sqlite3 shell runs its dot-commands itself ' +
        '(they set how it reads and prints), and SQLite does not know them. Remove it, or run the script with sqlite3 outside migrations. Nothing was run.',
    )
    expect(tables()).toEqual(['mig_migrations', 'people'])
    expect(history()).toEqual([{ version: '1', state: 'applied' }])
  })

  it('.read and .import say what to write instead, in either section and outside a transaction too', async () => {
    const cases = [
      {
        header: '',
        up: '.read schema.sql',
        down: 'SELECT 1;',
        at: '2: .read in the up',
        fix: "Put the file's SQL in the migration instead.",
      },
      {
        header: '-- mig:no-transaction\n',
        up: 'CREATE TABLE teams (id INTEGER);\n.import --csv teams.csv teams',
        down: 'DROP TABLE teams;',
        at: '4: .import in the up',
        fix: 'Write the rows as INSERT statements in the migration, or load the data outside migrations (sqlite3 with .import).',
      },
      {
        header: '',
        up: 'CREATE TABLE teams (id INTEGER);',
        down: '.headers off\nDROP TABLE teams;',
        at: '4: .headers in the down',
        fix: 'Remove it',
      },
    ]
    for (const { header, up, down, at, fix } of cases) {
      const error = await refusal(migrator({ file: '0001_teams.sql', content: `${header}-- mig:up\n${up}\n-- mig:down\n${down}\n` }).up())
      expect(error.message).toContain(`0001_teams.sql:${at} section cannot run in a migration: `)
      expect(error.message).toContain(fix)
    }
    // The database file is not even created: nothing was written.
    expect(existsSync(filename)).toBe(false)
  })

  it('validate and plan refuse them the same way, and write nothing', async () => {
    await migrator(createPeople).up()
    for (const check of [
      () => migrator(createPeople, pastedSession()).validate(),
      () => migrator(createPeople, pastedSession()).plan({ direction: 'up' }),
    ]) {
      const error = await refusal(check())
      expect(error.message).toMatch(/^0002_people_rows\.sql:3: \.mode in the up section cannot run in a migration/)
    }
    expect(tables()).toEqual(['mig_migrations', 'people'])
    expect(history()).toEqual([{ version: '1', state: 'applied' }])
  })

  it('a code migration that runs one is refused before it is sent, in a transaction or not', async () => {
    for (const transaction of [true, false]) {
      const refused = migrator(createPeople, {
        version: 2,
        name: 'import_people',
        transaction,
        up: async ({ run }) => {
          await run('CREATE TABLE teams (id INTEGER)')
          await run('.import people.csv people')
        },
      }).up()
      const error = await refusal(refused)
      expect(error).toBeInstanceOf(InvalidMigrationError)
      expect(error.message).toContain(
        `.import cannot run in a migration: the sqlite3 shell reads that file and inserts its rows itself, and SQLite does not know its dot-commands. ` +
          `Write the rows as INSERT statements in the migration, or load the data outside migrations (sqlite3 with .import). ${transaction ? 'It was not run, and mig rolls the migration back.' : 'It was not run.'}`,
      )
      // In a transaction, the migration is rolled back; outside one, what ran before stays and the migration is marked failed.
      expect(tables()).toEqual(transaction ? ['mig_migrations', 'people'] : ['mig_migrations', 'people', 'teams'])
      expect(history()).toEqual(
        transaction
          ? [{ version: '1', state: 'applied' }]
          : [
              { version: '1', state: 'applied' },
              { version: '2', state: 'failed' },
            ],
      )
    }
  })

  it('a dot is a dot-command only where a statement starts', () => {
    expect(['.read x.sql', '  .mode csv\nSELECT 1;', '.IMPORT a.csv t'].map((statement) => sqliteClientOnly(statement)?.command)).toEqual([
      '.read',
      '.mode',
      '.IMPORT',
    ])
    expect(
      ["INSERT INTO notes VALUES ('.read x.sql');", 'SELECT .5;', "SELECT 1 WHERE '.mode' = ''", 'CREATE TABLE t (x);'].map(
        sqliteClientOnly,
      ),
    ).toEqual([undefined, undefined, undefined, undefined])
  })
})
