import { compareSchemas } from '@mig/core'
import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase, dialects, type ExampleDatabase, handAppliedSchemas, mig } from './support/llm-proxy-databases.js'

describe.each(dialects)('a %s database built by hand from the current schema', (dialect) => {
  let database: ExampleDatabase
  afterEach(async () => {
    await database?.remove()
  })

  async function builtByHand(): Promise<ExampleDatabase> {
    database = await createDatabase(dialect)
    await database.applyByHand(handAppliedSchemas[dialect].current)
    await database.query("INSERT INTO projects (id, name, api_key) VALUES ('p1', 'demo', 'sk-demo')")
    await database.query("INSERT INTO tokens (id, token, project_id) VALUES ('t1', 'tok-1', 'p1')")
    return database
  }

  it('matches what migration 0001 builds, to the last default and check', async () => {
    await builtByHand()
    const migrator = database.migrator()
    expect(compareSchemas(await migrator.expectedSchema({ to: 1 }), await migrator.describeSchema())).toEqual([])
  })

  it('baseline verifies and records 0001, and up then applies the new migrations on top', async () => {
    await builtByHand()
    const migrator = database.migrator()

    const baselined = await migrator.baseline({ to: 1 })
    expect(baselined.map((migration) => migration.file)).toEqual(['0001_initial_schema.sql'])
    const status = await migrator.status()
    expect(status.map((migration) => [migration.file, migration.state, migration.detail])).toEqual(
      dialect === 'sqlite'
        ? [
            ['0001_initial_schema.sql', 'baselined', undefined],
            ['0002_initial_schema_settings.sql', 'pending', undefined],
            ['0003_add_token_usage.sql', 'pending', undefined],
          ]
        : [
            ['0001_initial_schema.sql', 'baselined', undefined],
            ['0002_add_token_usage.sql', 'pending', undefined],
          ],
    )

    const applied = await migrator.up()
    expect(applied.migrations.map((migration) => migration.file)).toEqual(
      dialect === 'sqlite' ? ['0002_initial_schema_settings.sql', '0003_add_token_usage.sql'] : ['0002_add_token_usage.sql'],
    )
    expect(await database.tables()).toEqual(['audit_events', 'projects', 'token_usage', 'tokens'])
    await database.query("INSERT INTO token_usage (id, token_id, model, prompt_tokens) VALUES ('u1', 't1', 'gpt-4o', 12)")
    expect(await database.query('SELECT t.token, u.prompt_tokens FROM token_usage u JOIN tokens t ON t.id = u.token_id')).toEqual([
      { token: 'tok-1', prompt_tokens: 12 },
    ])
    // The baselined 0001 now reads like any applied migration: the database equals a fresh one.
    expect(compareSchemas(await migrator.expectedSchema(), await migrator.describeSchema())).toEqual([])
  })

  it('the CLI does the same: mig baseline --to 1, then mig up', async () => {
    await builtByHand()

    const baseline = await mig(database, 'baseline', '--to', '1')
    expect(baseline).toMatchObject({ exitCode: 0, stderr: '' })
    expect(baseline.stdout).toContain('baselined  0001_initial_schema.sql')

    const up = await mig(database, 'up')
    expect(up.exitCode).toBe(0)
    expect(up.stdout).toMatch(/applied +0\d{3}_add_token_usage\.sql/)
    const status = await mig(database, 'status', '--exit-code')
    expect(status.exitCode).toBe(0)
    expect(status.stdout).toMatch(/baselined +0001_initial_schema\.sql/)
  })
})
