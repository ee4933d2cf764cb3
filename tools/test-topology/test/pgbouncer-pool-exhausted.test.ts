import { DatabaseError, fromList, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase } from '@mig-internal/test-postgres'
import { expect, inject, it } from 'vitest'
import { query } from '../repro/mig-cli.js'
import { startPgBouncer, targetFromUrl } from '../src/index.js'

it('a session pool with no server connection for the lock fails with what to change, and changes nothing', async () => {
  // One server connection: the migrations' session takes it, and the lock's connection waits in PgBouncer's queue.
  const bouncer = await startPgBouncer({ poolMode: 'session', poolSize: 1, target: targetFromUrl(inject('postgresUrl')) })
  const database = await createTestDatabase(inject('postgresUrl'))
  try {
    const failure = await new Migrator({
      driver: postgresDriver({ connectionString: bouncer.url(database.name), lockLeaseMs: 1500 }),
      source: fromList([{ version: 1, name: 'create_a', up: 'CREATE TABLE a (id int)' }]),
    })
      .up()
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(DatabaseError)
    expect((failure as DatabaseError).message).toMatch(/no answer from PostgreSQL within 500 ms/)
    expect((failure as DatabaseError).message).toMatch(/two at once, one for migrations and one for the lock.*default_pool_size/)
    expect(await query(database.url, "SELECT to_regclass('a') AS a, to_regclass('mig_migrations') AS history")).toEqual([
      { a: null, history: null },
    ])
  } finally {
    await database.drop()
    await bouncer.stop()
  }
}, 60_000)
