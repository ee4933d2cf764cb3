import { fromList, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { beforeEach, describe, expect, it } from 'vitest'
import { sql, useDatabase } from './support/postgres-test-database.js'

const source = fromList([
  { version: 1, name: 'first', up: 'CREATE TABLE first (id INT)' },
  { version: 2, name: 'second', up: 'CREATE TABLE second (id INT)' },
])

describe('the PostgreSQL history table', () => {
  const database = useDatabase()
  beforeEach(() => sql(database.url, 'DROP TABLE IF EXISTS first, second'))
  const where = (schema: string) =>
    sql<{ version: string; state: string }>(database.url, `SELECT version, state FROM ${schema}.mig_migrations ORDER BY version`)

  it("lives in the Migrator's schema, which is created, and status reads it from there", async () => {
    const migrator = new Migrator({ driver: postgresDriver({ connectionString: database.url }), source, schema: 'mig_audit' })
    await migrator.up({ to: 1 })
    expect(await where('mig_audit')).toEqual([{ version: '1', state: 'applied' }])
    expect(await sql(database.url, "SELECT to_regclass('public.mig_migrations') AS in_public")).toEqual([{ in_public: null }])
    expect((await migrator.status()).map((entry) => [entry.version, entry.state])).toEqual([
      [1, 'applied'],
      [2, 'pending'],
    ])
  })

  it("lives in the driver's schema when the Migrator names none", async () => {
    await new Migrator({ driver: postgresDriver({ connectionString: database.url, schema: 'driver_history' }), source }).up()
    expect(await where('driver_history')).toEqual([
      { version: '1', state: 'applied' },
      { version: '2', state: 'applied' },
    ])
  })
})
