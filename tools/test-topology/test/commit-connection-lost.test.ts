import {
  ConnectionLostError,
  fromList,
  type ListedMigration,
  type MigrationDefinition,
  MigrationFailedError,
  Migrator,
  type MigratorOptions,
} from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { query } from '../repro/mig-cli.js'
import { type PgBouncerServer, startPgBouncer, startTcpProxy, type TcpProxy, targetFromUrl } from '../src/index.js'
import type { ProxiedConnection } from '../src/tcp-proxy.js'

// A trigger that waits for an advisory lock the test holds (the gate) keeps the server inside a
// write until the test lets it go: long enough to cut the connection between the write going out
// and its answer coming back. `failing` makes the write fail once the gate opens.
const GATE = 7_426_001
const gatedFunction = (failing = false) =>
  `CREATE FUNCTION gated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(${GATE}); ${
    failing ? "RAISE EXCEPTION 'refused at the end';" : ''
  } RETURN NULL; END $$;`
// In a transaction: its COMMIT waits at the gate.
const gatedCommit = (failing = false) => `
CREATE TABLE gated_commit (id INTEGER);
${gatedFunction(failing)}
CREATE CONSTRAINT TRIGGER gated AFTER INSERT ON gated_commit DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gated();
INSERT INTO gated_commit VALUES (1);`
// Outside a transaction: the update that records it applied waits at the gate.
const gatedHistoryUpdate = (failing = false) => `-- mig:no-transaction
${gatedFunction(failing)}
CREATE TRIGGER gated AFTER UPDATE ON mig_migrations FOR EACH ROW WHEN (NEW.state = 'applied') EXECUTE FUNCTION gated();`

const later: MigrationDefinition = { version: 2, name: 'later', up: 'CREATE TABLE later (id INTEGER);', down: 'DROP TABLE later;' }

// A repeatable migration as applied first, and changed so that its next COMMIT waits at the gate:
// the check must tell the new checksum from the old one, which stays recorded when it rolls back.
const viewBefore = { file: 'repeatable/gated.sql', content: 'CREATE OR REPLACE VIEW gated_view AS SELECT 1 AS v;\n' }
const gatedView = (failing = false) => ({
  file: 'repeatable/gated.sql',
  content: `CREATE OR REPLACE VIEW gated_view AS SELECT 2 AS v;\n${gatedCommit(failing)}\n`,
})

describe('a connection lost while the write recording a migration is under way', () => {
  let proxy: TcpProxy
  beforeAll(async () => {
    proxy = await startTcpProxy({ target: serverOf(inject('postgresUrl')) })
  })
  afterAll(async () => {
    await proxy?.stop()
  })

  it('the migration committed: it is reported applied, and the run stops after it; up again continues', async () => {
    await withDatabase(async (database) => {
      const migrations = [{ version: 1, name: 'gated', up: gatedCommit(), down: 'DROP TABLE gated_commit;' }, later]
      const migrator = migratorOf(database, proxy, migrations)
      const applied: number[] = []
      migrator.on('migrated', (event) => applied.push(Number(event.migration.version)))

      const failure = await loseAnswer(database, proxy, 'COMMIT', () => migrator.up())

      expect(failure).toBeInstanceOf(ConnectionLostError)
      expect((failure as ConnectionLostError).toJSON()).toMatchObject({
        code: 'MIG_CONNECTION_LOST',
        migration: { version: 1 },
        direction: 'up',
        completed: [{ version: 1 }],
      })
      expect((failure as Error).message).toContain('it took effect: 1_gated is applied')
      expect(applied).toEqual([1])
      expect(await states(database, migrations)).toEqual([
        [1, 'applied'],
        [2, 'pending'],
      ])
      expect(await query(database.url, 'SELECT id FROM gated_commit')).toEqual([{ id: 1 }])

      const again = await migratorOf(database, proxy, migrations).up()
      expect(again.migrations.map((migration) => migration.version)).toEqual([2])
    })
  })

  it('a rollback that committed is reported reverted', async () => {
    await withDatabase(async (database) => {
      const migrations = [{ version: 1, name: 'gated', up: 'CREATE TABLE kept (id INTEGER);', down: `DROP TABLE kept;${gatedCommit()}` }]
      await migratorOf(database, proxy, migrations).up()

      const failure = await loseAnswer(database, proxy, 'COMMIT', () => migratorOf(database, proxy, migrations).down())

      expect(failure).toBeInstanceOf(ConnectionLostError)
      expect(failure).toMatchObject({ direction: 'down', completed: [{ version: 1 }] })
      expect(await states(database, migrations)).toEqual([[1, 'pending']])
      expect(await query(database.url, "SELECT 1 FROM pg_tables WHERE tablename = 'kept'")).toEqual([])
    })
  })

  it('the server rolled back at COMMIT: the migration is reported rolled back, and is still pending', async () => {
    await withDatabase(async (database) => {
      const migrations = [{ version: 1, name: 'gated', up: gatedCommit(true), down: 'DROP TABLE gated_commit;' }]

      const failure = await loseAnswer(database, proxy, 'COMMIT', () => migratorOf(database, proxy, migrations).up())

      expect(failure).toBeInstanceOf(MigrationFailedError)
      expect(failure).toMatchObject({ rolledBack: true, outcome: 'rolled-back' })
      expect((failure as Error).message).toContain('Its changes were rolled back.')
      expect(await states(database, migrations)).toEqual([[1, 'pending']])
      expect(await query(database.url, "SELECT 1 FROM pg_tables WHERE tablename = 'gated_commit'")).toEqual([])
    })
  })

  it('the server is still committing: it is not reported rolled back, but unknown, and status has the answer once it is done', async () => {
    await withDatabase(async (database) => {
      // mig has the server end a session whose client is gone (client_connection_check_interval),
      // which would roll this COMMIT back; the migration turns that off, so the COMMIT waits at the gate.
      const up = `SET LOCAL client_connection_check_interval = 0;${gatedCommit()}`
      const migrations = [{ version: 1, name: 'gated', up, down: 'DROP TABLE gated_commit;' }]
      const gate = await closedGate(database)
      try {
        const run = migratorOf(database, proxy, migrations)
          .up()
          .catch((error: unknown) => error)
        await backendRunning(database, 'COMMIT')
        // The COMMIT waits at the gate while the connection breaks, and while mig checks on a new one.
        proxy.closeAll()
        const failure = await run

        expect(failure).toBeInstanceOf(MigrationFailedError)
        expect(failure).toMatchObject({ rolledBack: false, outcome: 'commit-unknown' })
        expect((failure as Error).message).toContain('cannot tell whether it was committed')
        expect((failure as Error).message).not.toContain('rolled back')
      } finally {
        await gate.open()
      }
      await until(async () => (await states(database, migrations))[0]?.[1] === 'applied')
      expect(await query(database.url, 'SELECT id FROM gated_commit')).toEqual([{ id: 1 }])
    })
  })

  it('the check cannot connect: whether it committed is unknown, and status has the answer', async () => {
    const ownProxy = await startTcpProxy({ target: serverOf(inject('postgresUrl')) })
    try {
      await withDatabase(async (database) => {
        const migrations = [{ version: 1, name: 'gated', up: gatedCommit(), down: 'DROP TABLE gated_commit;' }]

        // Nothing listens behind the proxy's port any more: the new connection is refused.
        const failure = await loseAnswer(database, ownProxy, 'COMMIT', () => migratorOf(database, ownProxy, migrations).up(), {
          cut: () => ownProxy.stop(),
        })

        expect(failure).toBeInstanceOf(MigrationFailedError)
        expect(failure).toMatchObject({ rolledBack: false, outcome: 'commit-unknown' })
        expect((failure as MigrationFailedError).toJSON()).toMatchObject({ rolledBack: false, outcome: 'commit-unknown' })
        expect(await states(database, migrations)).toEqual([[1, 'applied']])
      })
    } finally {
      await ownProxy.stop()
    }
  })

  it('a changed repeatable migration committed: it is reported applied with its new checksum, and up again runs nothing', async () => {
    await withDatabase(async (database) => {
      await migratorOf(database, proxy, [viewBefore]).up()
      const migrator = migratorOf(database, proxy, [gatedView()])
      const applied: string[] = []
      migrator.on('migrated', (event) => applied.push(event.migration.file))

      const failure = await loseAnswer(database, proxy, 'COMMIT', () => migrator.up())

      expect(failure).toBeInstanceOf(ConnectionLostError)
      expect((failure as ConnectionLostError).toJSON()).toMatchObject({
        code: 'MIG_CONNECTION_LOST',
        migration: { file: 'repeatable/gated.sql' },
        direction: 'up',
        completed: [{ file: 'repeatable/gated.sql' }],
      })
      expect(applied).toEqual(['repeatable/gated.sql'])
      expect(await repeatableStates(database, [gatedView()])).toEqual([['gated', 'up-to-date']])
      expect(await query(database.url, 'SELECT v FROM gated_view')).toEqual([{ v: 2 }])
      expect((await migratorOf(database, proxy, [gatedView()]).up()).migrations).toEqual([])
    })
  })

  it('a changed repeatable migration rolled back at COMMIT: it is reported rolled back, and its old checksum stays recorded', async () => {
    await withDatabase(async (database) => {
      await migratorOf(database, proxy, [viewBefore]).up()

      const failure = await loseAnswer(database, proxy, 'COMMIT', () => migratorOf(database, proxy, [gatedView(true)]).up())

      expect(failure).toBeInstanceOf(MigrationFailedError)
      expect((failure as MigrationFailedError).toJSON()).toMatchObject({
        code: 'MIG_MIGRATION_FAILED',
        migration: { file: 'repeatable/gated.sql' },
        rolledBack: true,
        outcome: 'rolled-back',
      })
      expect(await repeatableStates(database, [gatedView(true)])).toEqual([['gated', 'changed']])
      expect(await query(database.url, 'SELECT v FROM gated_view')).toEqual([{ v: 1 }])
      expect(await query(database.url, "SELECT 1 FROM pg_tables WHERE tablename = 'gated_commit'")).toEqual([])
    })
  })

  it("embedded with a pool of two clients, one holding the lock and one broken: the check opens a connection with the pool's settings, and closes it", async () => {
    await withDatabase(async (database) => {
      const pool = new pg.Pool({ connectionString: proxy.url(database.url), max: 2 })
      pool.on('error', () => {})
      try {
        const migrations = [{ version: 1, name: 'gated', up: gatedCommit(), down: 'DROP TABLE gated_commit;' }, later]
        const migrator = new Migrator({ driver: postgresDriver({ pool, lock: 'advisory' }), source: fromList(migrations) })

        // Only the migrations' connection breaks; the lock's stays open, and so holds the pool's other client.
        const failure = await loseAnswer(database, proxy, 'COMMIT', () => migrator.up(), {
          cut: (backend) => proxy.close((connection) => connection.serverSidePort === backend.port),
        })

        expect(failure).toBeInstanceOf(ConnectionLostError)
        expect(failure).toMatchObject({ completed: [{ version: 1 }] })
        expect(await states(database, migrations)).toEqual([
          [1, 'applied'],
          [2, 'pending'],
        ])
        // The check's own connection is closed: the database is left with the pool's clients only, none checked out.
        await until(async () => (await sessionsOn(database)) === pool.totalCount)
        expect(pool.totalCount - pool.idleCount).toBe(0)
      } finally {
        await pool.end()
      }
    })
  })

  it('with --single-transaction, the run committed: every migration of it is reported applied', async () => {
    await withDatabase(async (database) => {
      const first: MigrationDefinition = { version: 1, name: 'first', up: 'CREATE TABLE first (id INTEGER);', down: 'DROP TABLE first;' }
      const migrations = [first, { version: 2, name: 'gated', up: gatedCommit(), down: 'DROP TABLE gated_commit;' }]

      const failure = await loseAnswer(database, proxy, 'COMMIT', () => migratorOf(database, proxy, migrations, 'single').up())

      expect(failure).toBeInstanceOf(ConnectionLostError)
      expect((failure as ConnectionLostError).toJSON()).toMatchObject({
        migration: { version: 2 },
        completed: [{ version: 1 }, { version: 2 }],
      })
      expect(await states(database, migrations)).toEqual([
        [1, 'applied'],
        [2, 'applied'],
      ])
    })
  })

  it('with --single-transaction, the server rolled back at COMMIT: the whole run is reported rolled back', async () => {
    await withDatabase(async (database) => {
      const first: MigrationDefinition = { version: 1, name: 'first', up: 'CREATE TABLE first (id INTEGER);', down: 'DROP TABLE first;' }
      const migrations = [first, { version: 2, name: 'gated', up: gatedCommit(true), down: 'DROP TABLE gated_commit;' }]

      const failure = await loseAnswer(database, proxy, 'COMMIT', () => migratorOf(database, proxy, migrations, 'single').up())

      expect(failure).toBeInstanceOf(MigrationFailedError)
      expect((failure as MigrationFailedError).toJSON()).toMatchObject({
        code: 'MIG_MIGRATION_FAILED',
        migration: { version: 2 },
        outcome: 'rolled-back',
        undone: [{ version: 1 }],
        completed: [],
      })
      expect(await states(database, migrations)).toEqual([
        [1, 'pending'],
        [2, 'pending'],
      ])
    })
  })

  it('outside a transaction, the update recording it applied took effect: it is reported applied', async () => {
    await withDatabase(async (database) => {
      const migrations = [{ version: 1, name: 'gated', up: gatedHistoryUpdate(), transaction: false }, later]

      const failure = await loseAnswer(database, proxy, 'UPDATE', () => migratorOf(database, proxy, migrations).up())

      expect(failure).toBeInstanceOf(ConnectionLostError)
      expect(failure).toMatchObject({ completed: [{ version: 1 }] })
      expect(await states(database, migrations)).toEqual([
        [1, 'applied'],
        [2, 'pending'],
      ])
    })
  })

  it('outside a transaction, the update recording it applied did not take effect: it is reported recorded as failed', async () => {
    await withDatabase(async (database) => {
      const migrations = [{ version: 1, name: 'gated', up: gatedHistoryUpdate(true), transaction: false }]

      const failure = await loseAnswer(database, proxy, 'UPDATE', () => migratorOf(database, proxy, migrations).up())

      expect(failure).toBeInstanceOf(MigrationFailedError)
      expect(failure).toMatchObject({ outcome: 'part-way', stage: 'history' })
      expect((failure as Error).message).toContain('its history row says failed')
      expect(await states(database, migrations)).toEqual([[1, 'failed']])
    })
  })
})

describe('behind PgBouncer in transaction mode, a connection lost while COMMIT is under way', () => {
  let bouncer: PgBouncerServer
  let proxy: TcpProxy
  beforeAll(async () => {
    bouncer = await startPgBouncer({ poolMode: 'transaction', target: targetFromUrl(inject('postgresUrl')) })
    proxy = await startTcpProxy({ target: { host: '127.0.0.1', port: bouncer.port } })
  })
  afterAll(async () => {
    await proxy?.stop()
    await bouncer?.stop()
  })

  it('is checked through the pooler: the migration that committed is reported applied', async () => {
    await withDatabase(async (database) => {
      const migrations = [{ version: 1, name: 'gated', up: gatedCommit(), down: 'DROP TABLE gated_commit;' }, later]
      const connectionString = proxy.url(bouncer.url(database.name))
      const run = () => new Migrator({ driver: postgresDriver({ connectionString }), source: fromList(migrations) }).up()

      // The server sees PgBouncer's connections, not the proxy's: every connection of the run goes silent.
      const failure = await loseAnswer(database, proxy, 'COMMIT', run, { silence: () => true })

      expect(failure).toBeInstanceOf(ConnectionLostError)
      expect(failure).toMatchObject({ completed: [{ version: 1 }] })
      expect(await states(database, migrations)).toEqual([
        [1, 'applied'],
        [2, 'pending'],
      ])
    })
  })
})

function migratorOf(
  database: TestDatabase,
  proxy: TcpProxy,
  migrations: readonly ListedMigration[],
  transactionMode?: MigratorOptions['transactionMode'],
): Migrator {
  return new Migrator({
    driver: postgresDriver({ connectionString: proxy.url(database.url), lock: 'advisory' }),
    source: fromList(migrations),
    transactionMode,
  })
}

interface LoseAnswerOptions {
  /** Which connections through the proxy go silent: by default the one to the backend running the statement. */
  readonly silence?: (connection: ProxiedConnection, backend: Backend) => boolean
  /** How connections break once the server has finished: by default every one, by the proxy's `closeAll`. */
  readonly cut?: (backend: Backend) => unknown
}

/**
 * Runs `work` while the gate holds `statement` (`COMMIT`, or the history `UPDATE`) on the server;
 * the answer is lost on the way back, and once the server has finished, every connection through
 * the proxy breaks. Returns what `work` threw.
 */
async function loseAnswer(
  database: TestDatabase,
  proxy: TcpProxy,
  statement: 'COMMIT' | 'UPDATE',
  work: () => Promise<unknown>,
  options: LoseAnswerOptions = {},
): Promise<unknown> {
  const { silence = (connection, backend) => connection.serverSidePort === backend.port, cut = () => proxy.closeAll() } = options
  const gate = await closedGate(database)
  try {
    const run = work().then(
      () => new Error('the run succeeded'),
      (error: unknown) => error,
    )
    const backend = await backendRunning(database, statement)
    proxy.blackhole((connection) => silence(connection, backend))
    await gate.open()
    await until(
      async () =>
        (await query(database.url, "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [backend.pid])).length === 0,
    )
    await cut(backend)
    return await run
  } finally {
    await gate.open()
    proxy.resume()
  }
}

interface Backend {
  readonly pid: number
  /** Its client's port: the proxy's, or PgBouncer's. */
  readonly port: number
}

/** The backend running `statement` of mig's, once it is held at the gate. */
function backendRunning(database: TestDatabase, statement: 'COMMIT' | 'UPDATE'): Promise<Backend> {
  return until(async () => {
    const [row] = await query<{ pid: number; port: number }>(
      database.url,
      "SELECT pid, client_port AS port FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND wait_event_type = 'Lock' AND query LIKE $2",
      [database.name, `${statement}%`],
    )
    return row
  })
}

/** Holds the gate's advisory lock until `open()`, which may be called more than once. */
async function closedGate(database: TestDatabase): Promise<{ open(): Promise<void> }> {
  const client = new pg.Client({ connectionString: database.url })
  client.on('error', () => {})
  await client.connect()
  await client.query('SELECT pg_advisory_lock($1)', [GATE])
  let opened: Promise<void> | undefined
  return {
    open: () => {
      opened ??= client.end()
      return opened
    },
  }
}

async function states(database: TestDatabase, migrations: readonly MigrationDefinition[]): Promise<[number, string][]> {
  const status = await new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: fromList(migrations) }).status()
  return status.map((migration) => [Number(migration.version), migration.state])
}

async function repeatableStates(database: TestDatabase, migrations: readonly ListedMigration[]): Promise<[string, string][]> {
  const migrator = new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: fromList(migrations) })
  return (await migrator.repeatables()).map((repeatable) => [repeatable.name, repeatable.state])
}

/** The sessions on the database other than the one asking. */
async function sessionsOn(database: TestDatabase): Promise<number> {
  const [row] = await query<{ count: number }>(
    database.url,
    'SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database.name],
  )
  return row?.count ?? 0
}

async function withDatabase(test: (database: TestDatabase) => Promise<void>): Promise<void> {
  const database = await createTestDatabase(inject('postgresUrl'))
  try {
    await test(database)
  } finally {
    await database.drop()
  }
}

function serverOf(url: string): { host: string; port: number } {
  const server = new URL(url)
  return { host: server.hostname, port: Number(server.port || 5432) }
}

async function until<T>(found: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const value = await found()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error('waited 30 s for a state that never came')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
