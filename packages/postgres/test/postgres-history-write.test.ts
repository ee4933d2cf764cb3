import { fromList, MigrationFailedError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { beforeEach, describe, expect, it } from 'vitest'
import { sql, useDatabase } from './support/postgres-test-database.js'

describe('the history write after a migration on PostgreSQL', () => {
  const database = useDatabase()
  const migrator = (migration: { up: string; down?: string; transaction?: boolean }) =>
    new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([
        { version: 1, name: 'first', up: 'SELECT 1;' },
        { version: 2, name: 'second', ...migration },
      ]),
    })
  const failureOf = (run: Promise<unknown>) => run.then(() => undefined).catch((error: unknown) => error as MigrationFailedError)
  const history = () =>
    sql<{ version: number; state: string; detail: string | null }>(
      database.url,
      'SELECT version::int AS version, state, detail FROM mig_migrations ORDER BY version',
    )
  const tableExists = async (name: string) =>
    (await sql<{ found: string | null }>(database.url, 'SELECT to_regclass($1)::text AS found', [name]))[0]?.found === name

  /** Makes the history table refuse writes about version 2 that `when` matches, as a trigger of the database's own would. */
  const refuseHistoryWrites = (when: string) =>
    sql(
      database.url,
      `CREATE FUNCTION refuse_history_write() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF ${when} THEN RAISE EXCEPTION 'the history table is read-only today'; END IF;
         RETURN COALESCE(NEW, OLD);
       END $$;
       CREATE TRIGGER refuse_history_write BEFORE INSERT OR UPDATE OR DELETE ON mig_migrations
         FOR EACH ROW EXECUTE FUNCTION refuse_history_write();`,
    )

  beforeEach(async () => {
    await sql(
      database.url,
      'DROP TABLE IF EXISTS mig_migrations, gadgets, slow_commits; DROP FUNCTION IF EXISTS refuse_history_write, sleep_at_commit',
    )
    await migrator({ up: 'SELECT 1;' }).up({ to: 1 })
  })

  it('in a transaction: says the history write failed, not a statement, and that the migration was rolled back with it', async () => {
    await refuseHistoryWrites("TG_OP = 'INSERT' AND NEW.version = 2")
    const failure = await failureOf(migrator({ up: 'CREATE TABLE gadgets (id INT);\nINSERT INTO gadgets VALUES (1);' }).up())
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect(failure).toMatchObject({ stage: 'history', rolledBack: true, position: undefined, statement: undefined })
    expect(failure?.message).toContain(
      'Migration 2_second failed: it ran to the end, but writing its history row failed: the history table is read-only today',
    )
    expect(failure?.message).toContain('Its changes were rolled back, so it is still pending.')
    expect(failure?.message).toContain('Fix what refused the history write (the cause above), then apply it again.')
    expect(failure?.toJSON()).toMatchObject({ stage: 'history', position: null, statement: null, rolledBack: true })
    expect(await tableExists('gadgets')).toBe(false)
    expect(await history()).toEqual([{ version: 1, state: 'applied', detail: null }])
  })

  it('outside a transaction: says every statement ran, keeps it recorded as failed with that detail, and names the repair', async () => {
    await refuseHistoryWrites("TG_OP = 'UPDATE' AND NEW.version = 2 AND NEW.state = 'applied'")
    const failure = await failureOf(
      migrator({ transaction: false, up: 'CREATE TABLE gadgets (id INT);\nINSERT INTO gadgets VALUES (1);' }).up(),
    )
    expect(failure).toMatchObject({ stage: 'history', rolledBack: false, position: undefined })
    expect(failure?.message).toContain('it ran to the end, but writing its history row failed: the history table is read-only today')
    expect(failure?.message).toContain('It ran outside a transaction, so its changes stay, while its history row says failed.')
    expect(failure?.message).toContain('then record the outcome with `mig repair 2 --applied`.')
    expect(failure?.message).not.toContain('statement 2 of 2')
    expect(await sql(database.url, 'SELECT id FROM gadgets')).toEqual([{ id: 1 }])
    const [, second] = await history()
    expect(second?.state).toBe('failed')
    expect(second?.detail).toMatch(/^ran to the end, but writing its history row failed: the history table is read-only today/)
  })

  it('a rollback outside a transaction whose history row cannot be deleted says it was reverted and names the repair', async () => {
    const gadgets = { transaction: false, up: 'CREATE TABLE gadgets (id INT);', down: 'DROP TABLE gadgets;' }
    await migrator(gadgets).up()
    await refuseHistoryWrites("TG_OP = 'DELETE' AND OLD.version = 2")
    const failure = await failureOf(migrator(gadgets).down({ step: 1 }))
    expect(failure).toMatchObject({ stage: 'history', rolledBack: false, direction: 'down' })
    expect(failure?.message).toContain('Rollback of 2_second failed: it ran to the end, but deleting its history row failed')
    expect(failure?.message).toContain('`mig repair 2 --rolled-back`')
    expect(await tableExists('gadgets')).toBe(false)
    expect((await history())[1]).toMatchObject({
      state: 'failed',
      detail: expect.stringMatching(/^ran to the end, but deleting its history row failed/),
    })
  })

  it('a statement that fails is still named as the failure, with its position', async () => {
    const failure = await failureOf(migrator({ up: 'CREATE TABLE gadgets (id INT);\nINSERT INTO gadgets VALUES (missing);' }).up())
    expect(failure).toMatchObject({ stage: 'migration', rolledBack: true, position: { line: 2 } })
    expect(failure?.message).not.toContain('history row')
  })

  it('records as execution_ms the duration its migrated event reports: the migration’s own work, not its commit', async () => {
    // A deferred trigger makes the commit slow: the history row, written before it, cannot count it, so neither does the event.
    const slowCommit = `CREATE TABLE slow_commits (id INT);
      CREATE FUNCTION sleep_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER sleep_at_commit AFTER INSERT ON slow_commits DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION sleep_at_commit();
      INSERT INTO slow_commits VALUES (1);
      SELECT pg_sleep(0.05);`
    for (const transaction of [true, false]) {
      await sql(
        database.url,
        'DROP TABLE IF EXISTS slow_commits; DROP FUNCTION IF EXISTS sleep_at_commit; DELETE FROM mig_migrations WHERE version = 2',
      )
      const reported: number[] = []
      const run = migrator({ up: slowCommit, transaction })
      run.on('migrated', (event) => reported.push(event.durationMs))
      const result = await run.up()
      const [recorded] = await sql<{ execution_ms: number }>(database.url, 'SELECT execution_ms FROM mig_migrations WHERE version = 2')
      expect(reported, `transaction: ${transaction}`).toEqual([recorded?.execution_ms])
      expect(result.migrations[0]?.durationMs).toBe(recorded?.execution_ms)
      expect(recorded?.execution_ms).toBeGreaterThan(0)
    }
  })
})
