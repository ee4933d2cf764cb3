import { AbortedError, fromList, LockLostError, MigrationFailedError, Migrator, PartialMigrationError } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { beforeEach, describe, expect, it } from 'vitest'
import { openSession, sql, until, useDatabase } from './support/postgres-test-database.js'

describe('no-transaction migrations on PostgreSQL', () => {
  const database = useDatabase()
  const migrator = (up: string, version = 1) =>
    new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ version, name: `migration_${version}`, transaction: false, up }]),
    })

  beforeEach(async () => {
    await sql(
      database.url,
      `DROP TABLE IF EXISTS mig_migrations, users;
       CREATE TABLE users (id INT PRIMARY KEY, email TEXT NOT NULL);
       INSERT INTO users SELECT n, 'user' || n || '@example.com' FROM generate_series(1, 5000) n;`,
    )
  })

  it('builds an index CONCURRENTLY on a table with rows, waiting only for other sessions, never for its own lock', async () => {
    const other = await openSession(database.url)
    try {
      // A snapshot held open elsewhere: the build must wait for it, as it would for a lock
      // connection that held one, which is why mig's never does.
      await other.query('BEGIN ISOLATION LEVEL REPEATABLE READ')
      await other.query('SELECT count(*) FROM users')
      let built = false
      const build = migrator('CREATE INDEX CONCURRENTLY users_email_idx ON users (email);')
        .up()
        .then(() => {
          built = true
        })
      // The build waits for the other session's transaction (a virtualxid lock), not for anything of mig's.
      await until(async () =>
        (
          await sql<{ waiting_for: string }>(
            database.url,
            `SELECT l.locktype AS waiting_for FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
                WHERE a.application_name = 'mig' AND a.datname = current_database() AND a.query LIKE 'CREATE INDEX CONCURRENTLY%'`,
          )
        ).some((row) => row.waiting_for === 'virtualxid'),
      )
      expect(built).toBe(false)
      await other.query('COMMIT')
      await build
    } finally {
      await other.end()
    }
    const [index] = await sql<{ valid: boolean }>(
      database.url,
      "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass",
    )
    expect(index?.valid).toBe(true)
  })

  it('records a failure at statement k of n, and later runs refuse until it is repaired', async () => {
    const failure = await migrator(
      'ALTER TABLE users ADD COLUMN nickname TEXT;\nUPDATE users SET nickname = missing_column;\nALTER TABLE users ADD COLUMN karma INT;',
    )
      .up()
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect((failure as MigrationFailedError).statement).toBe('UPDATE users SET nickname = missing_column;')
    expect((failure as MigrationFailedError).position).toEqual({ line: 2, column: 29 })
    const [record] = await sql<{ state: string; detail: string }>(database.url, 'SELECT state, detail FROM mig_migrations')
    expect(record?.state).toBe('failed')
    expect(record?.detail).toMatch(/^statement 2 of 3 failed: column "missing_column" does not exist/)
    const columns = await sql<{ name: string }>(
      database.url,
      "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position",
    )
    expect(columns.map((column) => column.name)).toEqual(['id', 'email', 'nickname'])
    await expect(migrator('SELECT 1;').up()).rejects.toThrow(PartialMigrationError)
  })

  it('a connection killed part-way is reported as that migration failing, and history keeps it as interrupted', async () => {
    const running = migrator('ALTER TABLE users ADD COLUMN nickname TEXT;\nSELECT pg_sleep(30);\nALTER TABLE users ADD COLUMN karma INT;')
      .up()
      .catch((error: unknown) => error)
    const sleeping = async () =>
      sql<{ pid: number }>(
        database.url,
        "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND pid <> pg_backend_pid()",
      )
    await until(async () => (await sleeping()).length === 1)
    await sql(database.url, 'SELECT pg_terminate_backend($1)', [(await sleeping())[0]?.pid])
    const failure = await running
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect((failure as MigrationFailedError).migration.file).toBe('1_migration_1')
    expect((failure as MigrationFailedError).rolledBack).toBe(false)
    const [record] = await sql<{ state: string; detail: string }>(database.url, 'SELECT state, detail FROM mig_migrations')
    expect(record).toEqual({
      state: 'failed',
      detail: 'interrupted: the run stopped during statement 2 of 3, after the ones before it committed',
    })
    await expect(migrator('SELECT 1;').up()).rejects.toThrow(PartialMigrationError)
  })

  it('a down killed part-way is kept in history as an interrupted rollback, not as an interrupted up', async () => {
    const reverting = new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([
        {
          version: 1,
          name: 'migration_1',
          transaction: false,
          up: 'ALTER TABLE users ADD COLUMN nickname TEXT;',
          down: 'ALTER TABLE users DROP COLUMN nickname;\nSELECT pg_sleep(30);\nDROP TABLE users;',
        },
      ]),
    })
    await reverting.up()
    const running = reverting.down().catch((error: unknown) => error)
    const sleeping = async () =>
      sql<{ pid: number }>(
        database.url,
        "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND pid <> pg_backend_pid()",
      )
    await until(async () => (await sleeping()).length === 1)
    await sql(database.url, 'SELECT pg_terminate_backend($1)', [(await sleeping())[0]?.pid])
    const failure = await running
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect((failure as MigrationFailedError).direction).toBe('down')
    const [record] = await sql<{ state: string; detail: string }>(database.url, 'SELECT state, detail FROM mig_migrations')
    expect(record).toEqual({
      state: 'failed',
      detail: 'interrupted: while reverting it, the run stopped during statement 2 of 3, after the ones before it committed',
    })
    const refused = await reverting.validate().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(PartialMigrationError)
    expect((refused as Error).message).toContain('while reverting it, the run stopped during statement 2 of 3')
  })

  it('a lock lost part-way stops before the next statement and names the migration it left failed and how to repair it', async () => {
    const running = migrator('ALTER TABLE users ADD COLUMN nickname TEXT;\nSELECT pg_sleep(2);\nALTER TABLE users ADD COLUMN karma INT;', 7)
      .up()
      .catch((error: unknown) => error)
    await until(
      async () =>
        (await sql(database.url, "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(2)%' AND pid <> pg_backend_pid()"))
          .length === 1,
    )
    const terminated = await sql(
      database.url,
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    expect(terminated).toHaveLength(1)
    const failure = await running
    expect(failure).toBeInstanceOf(LockLostError)
    expect((failure as LockLostError).interrupted?.version).toBe(7)
    expect((failure as Error).message).toContain(
      '7_migration_7 ran outside a transaction and stopped before its statement 3 of 3; it is recorded as failed',
    )
    expect((failure as Error).message).toContain('`mig repair 7 --applied` or `mig repair 7 --rolled-back`')
    expect((failure as LockLostError).toJSON()).toMatchObject({ interrupted: { version: 7, rolledBack: false } })
    const columns = await sql<{ name: string }>(
      database.url,
      "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position",
    )
    expect(columns.map((column) => column.name)).toEqual(['id', 'email', 'nickname'])
    expect(await sql(database.url, 'SELECT version, state FROM mig_migrations')).toEqual([{ version: '7', state: 'failed' }])
  })

  it('a cancelled run names the migration it stopped part-way and how to repair it', async () => {
    const cancel = new AbortController()
    const running = migrator('ALTER TABLE users ADD COLUMN nickname TEXT;\nSELECT pg_sleep(30);', 4)
      .up({ signal: cancel.signal, cancelSignal: cancel.signal })
      .catch((error: unknown) => error)
    await until(
      async () =>
        (await sql(database.url, "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND pid <> pg_backend_pid()"))
          .length === 1,
    )
    cancel.abort()
    const failure = await running
    expect(failure).toBeInstanceOf(AbortedError)
    expect((failure as AbortedError).interrupted).toMatchObject({ migration: { version: 4 }, rolledBack: false })
    expect((failure as Error).message).toContain(
      'Finish or undo 4_migration_4 by hand, then run `mig repair 4 --applied` or `mig repair 4 --rolled-back`.',
    )
    expect(await sql(database.url, 'SELECT version, state FROM mig_migrations')).toEqual([{ version: '4', state: 'failed' }])
  })

  it("a cancel between a code migration's statements stops it before the next one and records it as failed", async () => {
    const cancel = new AbortController()
    const source = fromList([
      {
        version: 5,
        name: 'backfill',
        transaction: false,
        up: async ({ query }) => {
          for (let id = 1; id <= 100; id++) {
            if (id === 4) cancel.abort()
            await query('UPDATE users SET email = $1 WHERE id = $2', ['done', id])
          }
        },
      },
    ])
    const failure = await new Migrator({ driver: postgresDriver({ connectionString: database.url }), source })
      .up({ cancelSignal: cancel.signal })
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(AbortedError)
    expect((failure as AbortedError).interrupted).toMatchObject({ migration: { version: 5 }, rolledBack: false })
    expect(await sql(database.url, "SELECT count(*)::int AS n FROM users WHERE email = 'done'")).toEqual([{ n: 3 }])
    expect(await sql(database.url, 'SELECT version, state, detail FROM mig_migrations')).toEqual([
      { version: '5', state: 'failed', detail: 'cancelled before its next statement' },
    ])
  })

  it('names the INVALID index a failed CREATE UNIQUE INDEX CONCURRENTLY leaves behind', async () => {
    await sql(database.url, "INSERT INTO users VALUES (5001, 'user1@example.com')")
    const failure = await migrator('-- a comment first\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);')
      .up()
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    const message = (failure as Error).message
    expect(message).toContain('could not create unique index "users_email_key"')
    expect(message).toContain('INVALID index users_email_key')
    expect(message).toContain('DROP INDEX CONCURRENTLY users_email_key;')
    expect((failure as MigrationFailedError).position?.line).toBe(2)
    const [record] = await sql<{ detail: string }>(database.url, 'SELECT detail FROM mig_migrations')
    expect(record?.detail).toContain('statement 1 of 1 failed')
    expect(record?.detail).toContain('INVALID index users_email_key')
    const [index] = await sql<{ valid: boolean }>(
      database.url,
      "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'users_email_key'::regclass",
    )
    expect(index?.valid).toBe(false)
  })

  it('explains that CONCURRENTLY needs a no-transaction migration', async () => {
    const inTransaction = new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ version: 1, name: 'index', up: 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);' }]),
    })
    const failure = await inTransaction.up().catch((error: unknown) => error)
    expect((failure as Error).message).toContain('-- mig:no-transaction')
    expect((failure as MigrationFailedError).rolledBack).toBe(true)
  })
})
