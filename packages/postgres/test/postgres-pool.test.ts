import { fromList, InvalidOptionsError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDatabase } from './support/postgres-test-database.js'

describe('a pool the application owns', () => {
  const database = useDatabase()
  let pool: pg.Pool
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: database.url, max: 4 })
  })
  afterAll(() => pool.end())

  const source = fromList([
    { version: 1, name: 'items', up: 'CREATE TABLE items (id INT PRIMARY KEY);', down: 'DROP TABLE items;' },
    {
      version: 2,
      name: 'index_items',
      transaction: false,
      up: 'CREATE INDEX CONCURRENTLY items_id_idx ON items (id);',
      down: 'DROP INDEX items_id_idx;',
    },
  ])

  it('stays usable after up, status and down, with no lock or setting left behind', async () => {
    const migrator = new Migrator({ driver: postgresDriver({ pool, lockTimeout: '3s', statementTimeout: '1min' }), source })
    await migrator.up()
    expect((await migrator.status()).map((entry) => entry.state)).toEqual(['applied', 'applied'])
    await migrator.down({ all: true })
    await migrator.up()

    const [state] = (
      await pool.query(
        "SELECT current_setting('lock_timeout') AS lock_timeout, (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS advisory_locks",
      )
    ).rows
    expect(state).toEqual({ lock_timeout: '0', advisory_locks: 0 })
    expect((await pool.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 0 }])
    expect(pool.ending).toBe(false)
    expect(pool.totalCount - pool.idleCount).toBe(0)
  })

  it('lets two migrators share the pool and still apply each migration once', async () => {
    await pool.query('DROP TABLE IF EXISTS mig_migrations, items')
    const driver = postgresDriver({ pool })
    const results = await Promise.all([new Migrator({ driver, source }).up(), new Migrator({ driver, source }).up()])
    expect(results.flatMap((result) => result.migrations.map((migration) => migration.version)).sort()).toEqual([1, 2])
  })

  it('refuses a pool of one connection, which the lock and the migrations cannot share', () => {
    const tiny = new pg.Pool({ connectionString: database.url, max: 1 })
    expect(() => postgresDriver({ pool: tiny })).toThrow(InvalidOptionsError)
  })
})
