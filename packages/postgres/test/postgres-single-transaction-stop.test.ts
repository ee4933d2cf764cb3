import { AbortedError, fromList, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { beforeEach, describe, expect, it } from 'vitest'
import { sql, until, useDatabase } from './support/postgres-test-database.js'

/** Two quick migrations, then one that sleeps until it is cancelled. */
const SOURCE = fromList([
  { version: 1, name: 'first', up: 'CREATE TABLE first (id INTEGER)' },
  { version: 2, name: 'second', up: 'CREATE TABLE second (id INTEGER)' },
  { version: 3, name: 'slow', up: 'CREATE TABLE slow (id INTEGER); SELECT pg_sleep(30);' },
])

describe('a run in one transaction (transactionMode "single") that is stopped', () => {
  const database = useDatabase()
  const tables = async () =>
    (
      await sql<{ name: string }>(
        database.url,
        "SELECT tablename AS name FROM pg_tables WHERE tablename IN ('first', 'second', 'slow', 'mig_migrations') ORDER BY 1",
      )
    ).map((row) => row.name)
  const migrator = () =>
    new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: SOURCE, transactionMode: 'single' })

  beforeEach(async () => {
    await sql(database.url, 'DROP TABLE IF EXISTS first, second, slow, mig_migrations')
  })

  it('between migrations: says that those it ran were rolled back with the transaction', async () => {
    const stop = new AbortController()
    const run = migrator()
    run.on('migrated', (event) => {
      if (event.type === 'migrated' && event.migration.version === 2) stop.abort()
    })
    const failure = await run.up({ signal: stop.signal }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(AbortedError)
    expect((failure as Error).message).toContain(
      'The whole run was one transaction, so 1_first, 2_second, run before that in it, were rolled back too.',
    )
    expect((failure as AbortedError).toJSON()).toMatchObject({ completed: [], undone: [{ version: 1 }, { version: 2 }] })
    expect(await tables()).toEqual(['mig_migrations'])
    expect(await sql(database.url, 'SELECT count(*)::int AS rows FROM mig_migrations')).toEqual([{ rows: 0 }])
  })

  it('by a cancel in its third migration: names that one and the two rolled back with it', async () => {
    const cancel = new AbortController()
    const running = migrator()
      .up({ signal: cancel.signal, cancelSignal: cancel.signal })
      .catch((error: unknown) => error)
    await until(
      async () =>
        (await sql(database.url, "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%SELECT pg_sleep(30)%' AND pid <> pg_backend_pid()"))
          .length === 1,
    )
    cancel.abort()
    const failure = await running
    expect(failure).toBeInstanceOf(AbortedError)
    expect((failure as AbortedError).interrupted).toMatchObject({ migration: { version: 3 }, rolledBack: true })
    expect((failure as Error).message).toContain('so 1_first, 2_second, run before that in it, were rolled back too.')
    expect(await tables()).toEqual(['mig_migrations'])
  })
})
