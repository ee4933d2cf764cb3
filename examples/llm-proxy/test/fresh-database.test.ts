import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase, dialects, type ExampleDatabase } from './support/llm-proxy-databases.js'

const ALL_TABLES = ['audit_events', 'projects', 'token_usage', 'tokens']

describe.each(dialects)('a fresh %s database', (dialect) => {
  let database: ExampleDatabase
  afterEach(async () => {
    await database?.remove()
  })

  it('migrates up, rolls back to empty, and migrates up again', async () => {
    database = await createDatabase(dialect)
    const migrator = database.migrator()

    const applied = await migrator.up()
    expect(applied.migrations.map((migration) => migration.file)).toEqual(
      dialect === 'sqlite'
        ? ['0001_initial_schema.sql', '0002_initial_schema_settings.sql', '0003_add_token_usage.sql']
        : ['0001_initial_schema.sql', '0002_add_token_usage.sql'],
    )
    expect(await database.tables()).toEqual(ALL_TABLES)
    if (dialect === 'sqlite') expect(await database.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }])

    await migrator.down({ all: true })
    expect(await database.tables()).toEqual([])
    expect(await migrator.describeSchema()).toMatchObject({ tables: [], views: [], triggers: [] })
    if (dialect === 'sqlite') expect(await database.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'delete' }])

    await migrator.up()
    expect(await database.tables()).toEqual(ALL_TABLES)
    expect((await migrator.status()).every((migration) => migration.state === 'applied')).toBe(true)
  })

  it('keeps the foreign keys: deleting a project deletes its tokens and their usage', async () => {
    database = await createDatabase(dialect)
    await database.migrator().up()
    await database.query("INSERT INTO projects (id, name, api_key) VALUES ('p1', 'demo', 'sk-demo')")
    await database.query("INSERT INTO tokens (id, token, project_id) VALUES ('t1', 'tok-1', 'p1')")
    await database.query("INSERT INTO token_usage (id, token_id, model, prompt_tokens) VALUES ('u1', 't1', 'gpt-4o', 12)")
    await database.query("DELETE FROM projects WHERE id = 'p1'")
    expect(await database.query('SELECT id FROM tokens')).toEqual([])
    expect(await database.query('SELECT id FROM token_usage')).toEqual([])
  })
})
