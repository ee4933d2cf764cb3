import { fromList, MigrationFailedError, Migrator, type MigratorEvent } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSession, sql, useDatabase } from './support/postgres-test-database.js'

/** An ALTER TABLE that needs the table to itself, waiting at most 200 ms each time. */
const ALTER = fromList([
  {
    file: '0001_add_note.sql',
    content:
      '-- mig:lock-timeout 200ms\n-- mig:up\nALTER TABLE busy ADD COLUMN note TEXT;\n-- mig:down\nALTER TABLE busy DROP COLUMN note;\n',
  },
])

describe('migrations that wait for a table lock', () => {
  const database = useDatabase()
  let blocker: Awaited<ReturnType<typeof openSession>> | undefined

  beforeEach(async () => {
    await sql(database.url, 'DROP TABLE IF EXISTS busy, mig_migrations; CREATE TABLE busy (id INTEGER)')
    // An application transaction that has read the table: ALTER TABLE queues behind it.
    blocker = await openSession(database.url)
    await blocker.query('BEGIN')
    await blocker.query('SELECT * FROM busy')
  })
  afterEach(async () => {
    await blocker?.query('ROLLBACK').catch(() => {})
    await blocker?.end()
    blocker = undefined
  })

  it('retries an ALTER TABLE that hit lock_timeout, reports each retry, then fails naming SQLSTATE 55P03', async () => {
    const migrator = new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: ALTER, lockTimeoutRetries: 2 })
    const retries: MigratorEvent[] = []
    migrator.on('retrying', (event) => retries.push(event))
    const failure = await migrator.up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect((failure as Error).message).toContain('SQLSTATE 55P03')
    expect((failure as Error).message).toContain('on each of 3 attempts')
    expect((failure as Error).message.match(/SQLSTATE 55P03/g)).toHaveLength(1)
    expect((failure as MigrationFailedError).rolledBack).toBe(true)
    expect(retries.map((event) => event.type === 'retrying' && [event.attempt, event.attempts])).toEqual([
      [2, 3],
      [3, 3],
    ])
    expect(await sql(database.url, "SELECT count(*)::int AS columns FROM information_schema.columns WHERE table_name = 'busy'")).toEqual([
      { columns: 1 },
    ])
    expect(await sql(database.url, 'SELECT count(*)::int AS rows FROM mig_migrations')).toEqual([{ rows: 0 }])
  })

  it('applies the ALTER TABLE once the blocking transaction ends during the retries', async () => {
    const migrator = new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: ALTER, lockTimeoutRetries: 5 })
    let retries = 0
    migrator.on('retrying', () => {
      retries++
      if (retries === 1) void blocker?.query('ROLLBACK')
    })
    const result = await migrator.up()
    expect(result.migrations.map((migration) => migration.version)).toEqual([1])
    expect(retries).toBeGreaterThanOrEqual(1)
    expect(await sql(database.url, "SELECT count(*)::int AS columns FROM information_schema.columns WHERE table_name = 'busy'")).toEqual([
      { columns: 2 },
    ])
  })

  it('does not retry, nor report a retry, once the run was asked to stop: it fails naming 55P03 and the stop', async () => {
    const migrator = new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: ALTER, lockTimeoutRetries: 3 })
    const stop = new AbortController()
    migrator.on('migrating', () => stop.abort())
    let retries = 0
    migrator.on('retrying', () => retries++)
    const failure = await migrator.up({ signal: stop.signal }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect((failure as Error).message).toContain('SQLSTATE 55P03), on its first attempt, not tried again as the run was asked to stop.')
    expect([retries, (failure as MigrationFailedError).rolledBack]).toEqual([0, true])
    expect(await sql(database.url, 'SELECT count(*)::int AS rows FROM mig_migrations')).toEqual([{ rows: 0 }])
  })

  it('never retries a migration outside a transaction that hit lock_timeout: it is recorded as failed', async () => {
    const migrator = new Migrator({
      driver: postgresDriver({ connectionString: database.url, lockTimeout: 300 }),
      source: fromList([{ version: 1, name: 'outside', transaction: false, up: 'ALTER TABLE busy ADD COLUMN note TEXT' }]),
    })
    let retries = 0
    migrator.on('retrying', () => retries++)
    const failure = await migrator.up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect((failure as Error).message).toContain('lock timeout')
    expect(retries).toBe(0)
    expect(await sql(database.url, 'SELECT state FROM mig_migrations')).toEqual([{ state: 'failed' }])
  })
})
