import { fromList, Migrator, migrateFleet } from '@mig/core'
import { driverFromUrl } from '@mig/postgres'
import { describe, expect, it } from 'vitest'
import { sql, useDatabase } from './support/postgres-test-database.js'

const source = fromList([
  { version: 1, name: 'create_users', up: 'CREATE TABLE users (id INT)', down: 'DROP TABLE users' },
  { version: 2, name: 'add_email', up: 'ALTER TABLE users ADD COLUMN email TEXT', down: 'ALTER TABLE users DROP COLUMN email' },
])

describe('a PostgreSQL schema as a target', () => {
  const database = useDatabase()
  const forSchema = (schema: string) => driverFromUrl(database.url, { baseDirectory: '.', schema })

  it('runs migrations with search_path set to the schema and keeps history there', async () => {
    await new Migrator({ driver: forSchema('Tenant_A'), source, schema: 'Tenant_A' }).up()
    await new Migrator({ driver: forSchema('tenant_b'), source, schema: 'tenant_b' }).up({ to: 1 })
    const tables = await sql<{ schema: string; table: string }>(
      database.url,
      "SELECT table_schema AS schema, table_name AS table FROM information_schema.tables WHERE table_schema IN ('Tenant_A', 'tenant_b', 'public') ORDER BY 1, 2",
    )
    expect(tables).toEqual([
      { schema: 'Tenant_A', table: 'mig_migrations' },
      { schema: 'Tenant_A', table: 'users' },
      { schema: 'tenant_b', table: 'mig_migrations' },
      { schema: 'tenant_b', table: 'users' },
    ])
    expect(await sql(database.url, 'SELECT count(*)::int AS count FROM tenant_b.mig_migrations')).toEqual([{ count: 1 }])
  })

  it('migrates a fleet of schemas, each with its own lock and history', async () => {
    const targets = ['s1', 's2', 's3', 's4'].map((schema) => ({ id: schema, schema }))
    const result = await migrateFleet({ targets, driver: (target) => forSchema(target.schema), source, concurrency: 4 })
    expect(result).toMatchObject({ done: 4, failed: 0 })
    for (const { schema } of targets) {
      expect(await sql(database.url, `SELECT max(version)::int AS version FROM ${schema}.mig_migrations`)).toEqual([{ version: 2 }])
    }
  })

  it('keeps options already in the URL and refuses a schema that is not a plain identifier', async () => {
    const url = new URL(database.url)
    url.searchParams.set('options', '-c statement_timeout=5000')
    const session = await driverFromUrl(url.toString(), { baseDirectory: '.', schema: 'kept' }).connect()
    try {
      expect(await session.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '5s' }])
      expect(await session.query('SHOW search_path')).toEqual([{ search_path: '"kept",public' }])
    } finally {
      await session.close()
    }
    expect(() => forSchema('a;b')).toThrow(/not a plain identifier/)
  })
})
