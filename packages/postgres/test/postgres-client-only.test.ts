import { readFile } from 'node:fs/promises'
import { convertSchema, fromList, InvalidMigrationError, type ListedMigration, Migrator, SchemaConversionError } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { beforeEach, describe, expect, it } from 'vitest'
import { postgresClientOnly } from '../src/postgres-statement-role.js'
import { sql, useDatabase } from './support/postgres-test-database.js'

const dataDump = () => readFile(new URL('./fixtures/pg-dump-15-data.sql', import.meta.url), 'utf8')

const createPeople: ListedMigration = {
  file: '0001_people.sql',
  content: '-- mig:up\nCREATE TABLE people (id int PRIMARY KEY, name text);\n-- mig:down\nDROP TABLE people;\n',
}
// What pg_dump writes for a table's rows, pasted into a migration after a statement of its own.
const pastedRows = (header = ''): ListedMigration => ({
  file: '0002_people_rows.sql',
  content: `${header}-- mig:up\nCREATE TABLE teams (id int);\nCOPY public.people (id, name) FROM stdin;\n1\tAda\n2\tit's; Grace\n\\.\n\n-- mig:down\nDELETE FROM people;\n`,
})

describe('statements only psql can run, in PostgreSQL migrations', () => {
  const database = useDatabase()
  const migrator = (...migrations: ListedMigration[]) =>
    new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: fromList(migrations) })
  const tables = async () =>
    (await sql<{ name: string }>(database.url, "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map(
      (row) => row.name,
    )
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable('the migration was not refused'),
      (error: unknown) => error as InvalidMigrationError,
    )

  beforeEach(async () => {
    await sql(database.url, 'DROP TABLE IF EXISTS mig_migrations, people, teams')
  })

  it('pg_dump rows after COPY … FROM stdin are refused before anything runs, naming the file, the line and the fix', async () => {
    const error = await refusal(migrator(createPeople, pastedRows()).up())
    expect(error).toBeInstanceOf(InvalidMigrationError)
    expect(error).toMatchObject({ code: 'MIG_INVALID_MIGRATION', file: '0002_people_rows.sql', line: 3 })
    expect(error.message).toMatch(/^0002_people_rows\.sql:3: COPY … FROM STDIN in the up section cannot run in a migration: /)
    expect(error.message).toMatch(/INSERT statements \(pg_dump --inserts or --column-inserts writes them\).*Nothing was run\.$/)
    // Not even the migration before it, nor the history table.
    expect(await tables()).toEqual([])
  })

  it('refuses them in a migration outside a transaction too, where they would fail part-way', async () => {
    const error = await refusal(migrator(createPeople, pastedRows('-- mig:no-transaction\n')).up())
    expect(error).toMatchObject({ file: '0002_people_rows.sql', line: 4 })
    expect(await tables()).toEqual([])
  })

  it('validate and plan refuse them the same way, and write nothing', async () => {
    await migrator(createPeople).up()
    for (const check of [
      () => migrator(createPeople, pastedRows()).validate(),
      () => migrator(createPeople, pastedRows()).plan({ direction: 'up' }),
    ]) {
      const error = await refusal(check())
      expect(error.message).toMatch(/^0002_people_rows\.sql:3: COPY … FROM STDIN in the up section cannot run in a migration/)
    }
    expect(await tables()).toEqual(['mig_migrations', 'people'])
    expect(await sql(database.url, 'SELECT version::int, state FROM mig_migrations')).toEqual([{ version: 1, state: 'applied' }])
  })

  it('refuses COPY … TO STDOUT and psql commands, in either section, before anything runs', async () => {
    const cases = [
      { up: 'CREATE TABLE teams (id int);\nCOPY (SELECT 1) TO STDOUT;', down: 'DROP TABLE teams;', at: '3: COPY … TO STDOUT in the up' },
      { up: '\\connect other_database\nCREATE TABLE teams (id int);', down: 'DROP TABLE teams;', at: '2: \\connect in the up' },
      { up: "\\set team 'core'\nCREATE TABLE teams (id int);", down: 'DROP TABLE teams;', at: '2: \\set in the up' },
      { up: 'CREATE TABLE teams (id int);', down: 'DROP TABLE teams;\n\\i cleanup.sql', at: '5: \\i in the down' },
    ]
    for (const { up, down, at } of cases) {
      const error = await refusal(
        migrator(createPeople, { file: '0002_teams.sql', content: `-- mig:up\n${up}\n-- mig:down\n${down}\n` }).up(),
      )
      expect(error).toBeInstanceOf(InvalidMigrationError)
      expect(error.message).toContain(`0002_teams.sql:${at} section cannot run in a migration`)
    }
    expect(await tables()).toEqual([])
  })

  it('a whole pg_dump pasted into a migration is refused at its first psql command', async () => {
    const error = await refusal(migrator({ file: '0001_dump.sql', content: `-- mig:up\n${await dataDump()}` }).up())
    expect(error.message).toMatch(
      /^0001_dump\.sql:6: \\restrict in the up section cannot run in a migration: psql runs its backslash commands itself/,
    )
    expect(await tables()).toEqual([])
  })

  it('a code migration that runs one is refused before it is sent, in a transaction or not', async () => {
    for (const transaction of [true, false]) {
      await sql(database.url, 'DROP TABLE IF EXISTS mig_migrations, people, teams')
      const copyRows = migrator(createPeople, {
        version: 2,
        name: 'copy_people',
        transaction,
        up: async ({ run, query }) => {
          await run('CREATE TABLE teams (id int)')
          await query('COPY people (id, name) FROM STDIN')
          await run("INSERT INTO people VALUES (1, 'Ada')")
        },
      })
      const error = await refusal(copyRows.up())
      expect(error).toBeInstanceOf(InvalidMigrationError)
      expect(error.message).toMatch(/COPY … FROM STDIN cannot run in a migration: psql sends the rows written below it to the server/)
      expect(error.message).toMatch(transaction ? /It was not run, and mig rolls the migration back\.$/ : /It was not run\.$/)
      expect(error.message).not.toContain('No source stream defined')
      // Outside a transaction, the statement before it stays, and the migration is marked failed.
      expect(await tables()).toEqual(transaction ? ['mig_migrations', 'people'] : ['mig_migrations', 'people', 'teams'])
      expect(await sql(database.url, 'SELECT version::int, state FROM mig_migrations ORDER BY 1')).toEqual(
        transaction
          ? [{ version: 1, state: 'applied' }]
          : [
              { version: 1, state: 'applied' },
              { version: 2, state: 'failed' },
            ],
      )
    }
  })

  it('COPY between a table and a file on the server is SQL, and runs', async () => {
    const copies = {
      file: '0002_copies.sql',
      content: "-- mig:up\nCOPY people TO '/dev/null';\nCOPY people (id) FROM PROGRAM 'echo 3';\n-- mig:down\nDELETE FROM people;\n",
    }
    await migrator(createPeople, copies).up()
    expect(await sql(database.url, 'SELECT id, name FROM people')).toEqual([{ id: 3, name: null }])
  })
})

describe('converting a pg_dump that holds data', () => {
  const database = useDatabase()

  it('is refused with the line of its COPY and the same fix, past the psql commands it leaves out', async () => {
    const conversion = convertSchema(postgresDriver({ connectionString: database.url }), await dataDump())
    await expect(conversion).rejects.toThrow(SchemaConversionError)
    await expect(conversion).rejects.toThrow(
      /^The schema file holds COPY … FROM STDIN at line 40, which cannot run in a migration: .*pg_dump --schema-only.*No migration was written\.$/,
    )
  })
})

describe('what only psql can run', () => {
  it('is told from SQL that merely mentions COPY, STDIN or a backslash', () => {
    const refused = [
      'COPY public.people (id, name) FROM stdin;',
      'copy people from STDIN with (format csv, header);',
      'COPY people TO STDOUT;',
      'COPY (SELECT * FROM people WHERE id > 1) TO stdout WITH (FORMAT csv);',
      '\\copy people from pstdin',
      '\\.',
    ].map((statement) => postgresClientOnly(statement)?.command)
    expect(refused).toEqual(['COPY … FROM STDIN', 'COPY … FROM STDIN', 'COPY … TO STDOUT', 'COPY … TO STDOUT', '\\copy', '\\.'])
    const allowed = [
      "COPY people FROM '/srv/people.csv';",
      "COPY people TO PROGRAM 'gzip > /srv/people.gz';",
      'CREATE TABLE stdin (id int);',
      "SELECT 'COPY people FROM STDIN';",
      "INSERT INTO notes VALUES (E'\\\\connect');",
      'SELECT * FROM stdin_rows;',
    ].map((statement) => postgresClientOnly(statement))
    expect(allowed).toEqual([undefined, undefined, undefined, undefined, undefined, undefined])
  })
})
