import { compareSchemas, formatSchemaDifferences } from '@mig/core'
import { afterAll, expect, it } from 'vitest'
import { createDatabase, type ExampleDatabase } from './support/llm-proxy-databases.js'

const databases: ExampleDatabase[] = []
afterAll(async () => {
  await Promise.all(databases.map((database) => database.remove()))
})

it('SQLite and PostgreSQL end with the same tables, columns, keys and indexes', async () => {
  const [sqlite, postgres] = await Promise.all([createDatabase('sqlite'), createDatabase('postgres')])
  databases.push(sqlite, postgres)
  await sqlite.migrator().up()
  await postgres.migrator().up()
  const sqliteSchema = await sqlite.migrator().describeSchema()
  const postgresSchema = await postgres.migrator().describeSchema()

  expect(formatSchemaDifferences(compareSchemas(sqliteSchema, postgresSchema, { level: 'structure' }))).toBe('')
  expect(postgresSchema.tables.map((table) => table.name)).toEqual(['audit_events', 'projects', 'token_usage', 'tokens'])
  // Not an empty comparison: the snapshots hold every key and index of the schema.
  const tokens = postgresSchema.tables.find((table) => table.name === 'tokens')
  expect(tokens).toMatchObject({
    primaryKey: ['id'],
    uniques: [['token']],
    foreignKeys: [{ columns: ['project_id'], referencedTable: 'projects', referencedColumns: ['id'] }],
  })
  expect(tokens?.indexes.map((index) => index.name)).toEqual([
    'idx_tokens_expires_at',
    'idx_tokens_is_active',
    'idx_tokens_project_id',
    'idx_tokens_token',
  ])
})

it('they differ only in what the conversion changed on purpose, and where SQLite differs by nature', async () => {
  const [sqlite, postgres] = await Promise.all([createDatabase('sqlite'), createDatabase('postgres')])
  databases.push(sqlite, postgres)
  await sqlite.migrator().up()
  await postgres.migrator().up()
  const differences = compareSchemas(await sqlite.migrator().describeSchema(), await postgres.migrator().describeSchema())
  const kinds = new Set(differences.map(({ message }) => message.replace(/^column \w+ /, 'column ').replace(/^index \w+ /, 'index ')))
  expect([...kinds].sort()).toEqual([
    // PostgreSQL spells the CHECK as = ANY (ARRAY[...]).
    "check on outcome is outcome = ANY (ARRAY['success'::text, 'failure'::text, 'denied'::text, 'error'::text]), expected outcome IN ('success', 'failure', 'denied', 'error')",
    // The conversion: BOOLEAN ... DEFAULT 1 became DEFAULT TRUE, DATETIME became TIMESTAMPTZ.
    'column default is true, expected 1',
    'column is NOT NULL, expected nullable',
    'column is timestamp with time zone, expected DATETIME',
  ])
})
