import { fromList, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { describe, expect, it } from 'vitest'
import { sql, useDatabase } from './support/postgres-test-database.js'

const definitions = [
  { version: 1, name: 'create_a', up: 'CREATE TABLE a (id INT)', down: 'DROP TABLE a' },
  { version: 2, name: 'create_b', up: 'CREATE TABLE b (id INT)', down: 'DROP TABLE b' },
]
const source = fromList(definitions)

/** The history table exactly as mig 0.x created and filled it. */
const OLDER_HISTORY = `
CREATE TABLE a (id INT);
CREATE TABLE public.mig_migrations (
  version BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('applied', 'baselined', 'failed')),
  applied_at TIMESTAMPTZ NOT NULL,
  execution_ms INTEGER NOT NULL,
  applied_by TEXT NOT NULL,
  detail TEXT
);`

/** The history table as an older mig made it, with the first migration applied. */
async function writeOlderHistory(url: string): Promise<void> {
  const checksum = (await source.list())[0]?.checksum
  await sql(url, OLDER_HISTORY)
  await sql(
    url,
    "INSERT INTO mig_migrations (version, name, checksum, state, applied_at, execution_ms, applied_by, detail) VALUES ($1, 'create_a', $2, 'applied', now(), 3, 'old@host', NULL)",
    [1, checksum],
  )
}

describe('a PostgreSQL history table made by an older mig', () => {
  const database = useDatabase()

  it('is read as it is by read-only commands, upgraded in place before the first write, and still works for an older mig', async () => {
    await writeOlderHistory(database.url)
    const migrator = new Migrator({ driver: postgresDriver({ connectionString: database.url }), source })
    expect((await migrator.status()).map((status) => [status.version, status.state])).toEqual([
      [1, 'applied'],
      [2, 'pending'],
    ])
    const columns = () =>
      sql<{ column_name: string; data_type: string }>(
        database.url,
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'mig_migrations' ORDER BY ordinal_position",
      )
    expect((await columns()).map((column) => column.column_name)).not.toContain('down_sql')
    await migrator.up()
    expect(await columns()).toEqual(
      expect.arrayContaining([
        { column_name: 'version', data_type: 'numeric' },
        { column_name: 'file', data_type: 'text' },
        { column_name: 'down_sql', data_type: 'text' },
      ]),
    )
    expect(await sql(database.url, 'SELECT version, file, down_sql FROM mig_migrations ORDER BY version')).toEqual([
      { version: '1', file: null, down_sql: null },
      { version: '2', file: '2_create_b', down_sql: 'DROP TABLE b' },
    ])
    // What an older mig runs: its insert and select, with the version as a number.
    await sql(
      database.url,
      "INSERT INTO mig_migrations (version, name, checksum, state, applied_at, execution_ms, applied_by, detail) VALUES ($1, 'old', 'sha256:x', 'applied', $2, 1, 'old@host', NULL)",
      [3, new Date().toISOString()],
    )
    expect(
      (
        await sql<{ version: string }>(
          database.url,
          'SELECT version, name, checksum, state, applied_at, execution_ms, applied_by, detail FROM mig_migrations ORDER BY version',
        )
      ).map((row) => Number(row.version)),
    ).toEqual([1, 2, 3])
  })
})

describe('repeatable migrations on a PostgreSQL history table made by an older mig', () => {
  const database = useDatabase()

  it('are recorded in a table of their own, leaving the older history table to its own upgrade', async () => {
    const view = { file: 'repeatable/a_ids.sql', content: 'CREATE OR REPLACE VIEW a_ids AS SELECT id FROM a;\n' }
    const withView = fromList([...definitions, view])
    await writeOlderHistory(database.url)
    const migrator = new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: withView })
    expect((await migrator.up()).migrations.map((migration) => migration.file)).toEqual(['2_create_b', 'repeatable/a_ids.sql'])
    expect(await sql(database.url, 'SELECT version FROM mig_migrations ORDER BY version')).toEqual([{ version: '1' }, { version: '2' }])
    expect(await sql(database.url, 'SELECT name, file FROM mig_migrations_repeatable')).toEqual([
      { name: 'a_ids', file: 'repeatable/a_ids.sql' },
    ])
    expect(await sql(database.url, 'SELECT COUNT(*)::int AS n FROM a_ids')).toEqual([{ n: 0 }])
  })
})
