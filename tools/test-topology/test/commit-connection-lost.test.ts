import { fromList, MigrationFailedError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { query } from '../repro/mig-cli.js'
import { startTcpProxy, type TcpProxy } from '../src/index.js'

// A deferred trigger keeps the server busy inside COMMIT for a second, long enough to cut the
// connection between the COMMIT going out and its answer coming back.
const SLOW_COMMIT = `
CREATE TABLE slow_commit (id INTEGER);
CREATE FUNCTION slow_commit_check() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER slow_commit_check AFTER INSERT ON slow_commit DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION slow_commit_check();
INSERT INTO slow_commit VALUES (1);`

describe('a connection lost while COMMIT is under way', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    const server = new URL(inject('postgresUrl'))
    proxy = await startTcpProxy({ target: { host: server.hostname, port: Number(server.port || 5432) } })
  })
  afterAll(async () => {
    await proxy?.stop()
  })

  it('is not reported as rolled back when the server committed: whether it committed is unknown, and status has the answer', async () => {
    const database = await createTestDatabase(inject('postgresUrl'))
    try {
      const run = new Migrator({
        driver: postgresDriver({ connectionString: proxy.url(database.url), lock: 'advisory' }),
        source: fromList([{ version: 1, name: 'slow_commit', up: SLOW_COMMIT, down: 'DROP TABLE slow_commit;' }]),
      })
        .up()
        .catch((error: unknown) => error)
      const committing = await until(async () => {
        const [row] = await query<{ port: number }>(
          database.url,
          "SELECT client_port AS port FROM pg_stat_activity WHERE datname = $1 AND query = 'COMMIT' AND state = 'active'",
          [database.name],
        )
        return row?.port
      })
      // The answer to COMMIT is lost on the way back; once the server has committed, the connection breaks.
      proxy.blackhole((connection) => connection.serverSidePort === committing)
      await until(async () => (await query(database.url, "SELECT 1 FROM mig_migrations WHERE state = 'applied'")).length > 0)
      proxy.closeAll()

      const failure = await run
      expect(failure).toBeInstanceOf(MigrationFailedError)
      expect(failure).toMatchObject({ rolledBack: false, outcome: 'commit-unknown' })
      expect((failure as Error).message).not.toContain('rolled back')
      expect((failure as Error).message).toContain('cannot tell whether it was committed')
      expect((failure as MigrationFailedError).toJSON()).toMatchObject({ rolledBack: false, outcome: 'commit-unknown' })

      const status = await new Migrator({
        driver: postgresDriver({ connectionString: database.url }),
        source: fromList([{ version: 1, name: 'slow_commit', up: SLOW_COMMIT, down: 'DROP TABLE slow_commit;' }]),
      }).status()
      expect(status.map((migration) => [migration.version, migration.state])).toEqual([[1, 'applied']])
      expect(await query(database.url, 'SELECT id FROM slow_commit')).toEqual([{ id: 1 }])
    } finally {
      proxy.closeAll()
      await database.drop()
    }
  })
})

async function until<T>(found: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const value = await found()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error('waited 30 s for a state that never came')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
