import { type SchemaDifference, SchemaMismatchError } from '@mig/core'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createDatabase,
  type Dialect,
  dialects,
  type ExampleDatabase,
  handAppliedSchemas,
  mig,
  schemaFile,
} from './support/llm-proxy-databases.js'

/** What really differs between the November 2025 schema and migration 0001. */
function november2025Differences(dialect: Dialect): Pick<SchemaDifference, 'object' | 'message'>[] {
  return [
    {
      object: 'audit_events',
      message:
        dialect === 'sqlite'
          ? "check on outcome is outcome IN ('success', 'failure'), expected outcome IN ('success', 'failure', 'denied', 'error')"
          : "check on outcome is outcome = ANY (ARRAY['success'::text, 'failure'::text]), expected outcome = ANY (ARRAY['success'::text, 'failure'::text, 'denied'::text, 'error'::text])",
    },
    { object: 'projects', message: 'column api_key missing' },
    { object: 'projects', message: 'column openai_api_key extra' },
    { object: 'tokens', message: 'column cache_hit_count missing' },
    { object: 'tokens', message: 'column id missing' },
    // SQLite lets a non-INTEGER primary key hold NULL; the new schema says NOT NULL.
    ...(dialect === 'sqlite' ? [{ object: 'tokens', message: 'column token is nullable, expected NOT NULL' }] : []),
    { object: 'tokens', message: 'primary key is (token), expected (id)' },
    { object: 'tokens', message: 'unique (token) missing' },
    { object: 'tokens', message: 'index idx_tokens_token missing' },
  ]
}

describe.each(dialects)('a %s database built from the November 2025 schema', (dialect) => {
  let database: ExampleDatabase
  afterEach(async () => {
    await database?.remove()
  })

  async function builtFromNovember2025(): Promise<ExampleDatabase> {
    database = await createDatabase(dialect)
    await database.applyByHand(handAppliedSchemas[dialect].november2025)
    await database.query("INSERT INTO projects (id, name, openai_api_key) VALUES ('p1', 'demo', 'sk-demo')")
    return database
  }

  it('baseline refuses, names every real difference, and leaves the database as it was', async () => {
    await builtFromNovember2025()
    const before = await database.fingerprint()

    const refusal = await database
      .migrator()
      .baseline({ to: 1 })
      .catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(SchemaMismatchError)
    const mismatch = refusal as SchemaMismatchError
    expect(mismatch.code).toBe('MIG_SCHEMA_MISMATCH')
    expect(mismatch.migration.file).toBe('0001_initial_schema.sql')
    expect(mismatch.differences.map(({ object, message }) => ({ object, message }))).toEqual(november2025Differences(dialect))
    expect(mismatch.message).toContain('\n  projects: column api_key missing, column openai_api_key extra\n')

    expect(await database.fingerprint()).toBe(before)
    expect(await database.hasHistoryTable()).toBe(false)
    expect(await database.query('SELECT id, name FROM projects')).toEqual([{ id: 'p1', name: 'demo' }])
  })

  it('mig baseline --to 1 prints the differences, exits 3 and writes nothing', async () => {
    await builtFromNovember2025()
    const before = await database.fingerprint()

    const baseline = await mig(database, 'baseline', '--to', '1')
    expect(baseline.exitCode).toBe(3)
    expect(baseline.stdout).toBe('')
    expect(baseline.stderr).toContain(
      'Error MIG_SCHEMA_MISMATCH: The database does not match the schema that migrations up to 0001_initial_schema.sql build',
    )
    expect(baseline.stderr).toContain('  audit_events: check on outcome is ')
    expect(baseline.stderr).toContain('  projects: column api_key missing, column openai_api_key extra\n')
    expect(baseline.stderr).toContain('  tokens: column cache_hit_count missing, column id missing, ')

    const json = JSON.parse((await mig(database, 'baseline', '--to', '1', '--json')).stdout)
    expect(json).toMatchObject({ ok: false, command: 'baseline', error: { code: 'MIG_SCHEMA_MISMATCH' } })
    expect(json.error.differences).toMatchObject(november2025Differences(dialect))

    expect(await database.fingerprint()).toBe(before)
  })

  it('mig baseline without --to finds no matching version either, and writes nothing', async () => {
    await builtFromNovember2025()
    const before = await database.fingerprint()

    const baseline = await mig(database, 'baseline')
    expect(baseline.exitCode).toBe(3)
    expect(baseline.stderr).toContain('  token_usage: table missing\n')
    expect(await database.fingerprint()).toBe(before)
  })

  it('up on it fails on the first CREATE TABLE and rolls back: nothing is applied over a schema mig did not build', async () => {
    await builtFromNovember2025()
    const up = await mig(database, 'up')
    expect(up.exitCode).toBe(1)
    expect(up.stderr).toContain('MIG_MIGRATION_FAILED')
    expect(up.stderr).toMatch(/projects.*already exists/)
    expect(await database.tables()).toEqual(['audit_events', 'projects', 'tokens'])
  })
})

it('a SQLite database from the May 2025 schema is refused too', async () => {
  const database = await createDatabase('sqlite')
  try {
    await database.applyByHand(schemaFile('schema-2025-05.sql'))
    const before = await database.fingerprint()
    const refusal = await database
      .migrator()
      .baseline({ to: 1 })
      .catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(SchemaMismatchError)
    expect((refusal as SchemaMismatchError).differences).toContainEqual(
      expect.objectContaining({ object: 'audit_events', message: 'table missing' }),
    )
    expect(await database.fingerprint()).toBe(before)
  } finally {
    await database.remove()
  }
})
