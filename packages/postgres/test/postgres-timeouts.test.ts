import { createServer, type Socket } from 'node:net'
import {
  DatabaseError,
  fromList,
  InvalidOptionsError,
  type MigrationContext,
  type MigrationDefinition,
  MigrationFailedError,
  Migrator,
} from '@mig/core'
import { type PostgresDriverOptions, postgresDriver } from '@mig/postgres'
import pg from 'pg'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PostgresSession } from '../src/postgres-session.js'
import { openSession, sql, useDatabase } from './support/postgres-test-database.js'

interface Settings {
  readonly lock_timeout: string
  readonly statement_timeout: string
}

const READ_SETTINGS = "SELECT current_setting('lock_timeout') AS lock_timeout, current_setting('statement_timeout') AS statement_timeout"

describe('PostgreSQL timeouts', () => {
  const database = useDatabase()
  afterEach(() => sql(database.url, 'DROP TABLE IF EXISTS mig_migrations'))

  const driver = (options: Omit<PostgresDriverOptions, 'connectionString' | 'pool'> = {}) =>
    postgresDriver({ connectionString: database.url, ...options })
  const failureOf = async (migrator: Migrator) => {
    const failure = await migrator.up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    return failure as MigrationFailedError & { cause: DatabaseError }
  }

  it('gives up on a table lock after lockTimeout with SQLSTATE 55P03, in and outside a transaction', async () => {
    await sql(database.url, 'CREATE TABLE busy (id INT)')
    const other = await openSession(database.url)
    try {
      await other.query('BEGIN')
      await other.query('LOCK TABLE busy IN ACCESS EXCLUSIVE MODE')
      for (const transaction of [true, false]) {
        const failure = await failureOf(
          new Migrator({
            driver: driver({ lockTimeout: '200ms' }),
            source: fromList([{ version: 1, name: 'alter_busy', transaction, up: 'ALTER TABLE busy ADD COLUMN extra INT;' }]),
          }),
        )
        expect(failure.cause.sqlState).toBe('55P03')
        await sql(database.url, 'DROP TABLE IF EXISTS mig_migrations')
      }
    } finally {
      await other.end()
    }
  })

  it('sets the timeouts with BEGIN, for that transaction only, and leaves none open when a setting is refused', async () => {
    const client = await openSession(database.url)
    const lease = { client, broken: false, release: async () => client.end() }
    try {
      const session = new PostgresSession(lease, [{ name: 'lock_timeout', value: '250ms' }])
      await session.begin()
      expect(await session.query<Settings>(READ_SETTINGS)).toEqual([{ lock_timeout: '250ms', statement_timeout: '0' }])
      await session.commit()
      expect((await client.query<Settings>(READ_SETTINGS)).rows[0]?.lock_timeout).toBe('0')

      // A value that skipped the duration check, which the server refuses after BEGIN succeeded.
      const refused = new PostgresSession(lease, [{ name: 'lock_timeout', value: 'soon' }])
      const failure = await refused.begin().catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(DatabaseError)
      expect((failure as DatabaseError).sqlState).toBe('22023')
      // Left in the failed transaction, the connection would refuse every query with 25P02.
      expect((await client.query('SELECT 1 AS usable')).rows).toEqual([{ usable: 1 }])
    } finally {
      await client.end().catch(() => {})
    }
  })

  it('sends a read outside a transaction with its timeouts and their reset as one query, and leaves no setting behind even when it fails', async () => {
    const client = await openSession(database.url)
    const lease = { client, broken: false, release: async () => client.end() }
    const settingsNow = async () => (await client.query<Settings>(READ_SETTINGS)).rows
    try {
      const session = new PostgresSession(lease, [
        { name: 'lock_timeout', value: '250ms' },
        { name: 'statement_timeout', value: '1min' },
      ])
      const sent = vi.spyOn(client, 'query')
      expect(await session.query<Settings>(READ_SETTINGS)).toEqual([{ lock_timeout: '250ms', statement_timeout: '1min' }])
      expect(await session.query<Settings>(`${READ_SETTINGS};`)).toEqual([{ lock_timeout: '250ms', statement_timeout: '1min' }])
      expect(sent).toHaveBeenCalledTimes(2)
      expect(await settingsNow()).toEqual([{ lock_timeout: '0', statement_timeout: '0' }])

      const failure = await session.query('SELECT no_such_column FROM pg_class').catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(DatabaseError)
      expect((failure as DatabaseError).sqlState).toBe('42703')
      expect((failure as DatabaseError).position).toBe('SELECT '.length)
      expect(await settingsNow()).toEqual([{ lock_timeout: '0', statement_timeout: '0' }])

      // Anything else keeps one statement per query: parameters, or more than one statement.
      sent.mockClear()
      expect(await session.query<{ n: number }>('SELECT $1::int AS n', [7])).toEqual([{ n: 7 }])
      expect(sent.mock.calls.map(([text]) => text)).toEqual([
        expect.stringContaining('set_config'),
        'SELECT $1::int AS n',
        'RESET lock_timeout; RESET statement_timeout',
      ])
    } finally {
      await client.end().catch(() => {})
    }
  })

  it('stops a statement outside a transaction that runs longer than statementTimeout', async () => {
    const failure = await failureOf(
      new Migrator({
        driver: driver({ statementTimeout: 100 }),
        source: fromList([{ version: 1, name: 'slow', transaction: false, up: 'SELECT pg_sleep(5);' }]),
      }),
    )
    expect(failure.cause.sqlState).toBe('57014')
  })

  it('applies the timeouts to context.query too, and resets the session after each statement outside a transaction', async () => {
    // The application's pool gives the test the very connection the migrations run on.
    const pool = new pg.Pool({ connectionString: database.url, max: 3 })
    const checkedOut: pg.PoolClient[] = []
    pool.on('acquire', (client) => checkedOut.push(client))
    const sameSession = async (pid: number) => {
      for (const client of checkedOut) {
        // Clients of earlier reads are closed by now.
        const rows = await client.query('SELECT pg_backend_pid() AS pid').then(
          (result) => result.rows,
          () => [],
        )
        if (rows[0]?.pid === pid) return client
      }
      throw new Error(`no client of the pool has pid ${pid}`)
    }
    const seen: Record<string, Settings | undefined> = {}
    const migrations: MigrationDefinition[] = [
      {
        version: 1,
        name: 'inside',
        up: async (context) => {
          ;[seen.inTransaction] = await context.query<Settings>(READ_SETTINGS)
        },
      },
      {
        version: 2,
        name: 'outside',
        transaction: false,
        up: async (context) => {
          const [during] = await context.query<Settings & { pid: number }>(`${READ_SETTINGS}, pg_backend_pid() AS pid`)
          if (!during) throw new Error('no row')
          seen.duringQuery = during
          await context.run('SELECT 1')
          ;[seen.afterRun] = (await (await sameSession(during.pid)).query<Settings>(READ_SETTINGS)).rows
        },
      },
    ]
    try {
      await new Migrator({
        driver: postgresDriver({ pool, lockTimeout: '5s', statementTimeout: '1min' }),
        source: fromList(migrations),
      }).up()
    } finally {
      await pool.end()
    }
    expect(seen.inTransaction).toEqual({ lock_timeout: '5s', statement_timeout: '1min' })
    expect(seen.duringQuery).toMatchObject({ lock_timeout: '5s', statement_timeout: '1min' })
    expect(seen.afterRun).toEqual({ lock_timeout: '0', statement_timeout: '0' })
  })

  it('reports the server ending an idle migration transaction with its reason and what to do, and records nothing', async () => {
    const failure = await failureOf(
      new Migrator({
        // mig's session gets idle_in_transaction_session_timeout = lockLeaseMs.
        driver: driver({ lockLeaseMs: 1_000 }),
        source: fromList([
          {
            version: 1,
            name: 'waits_inside',
            up: async (context) => {
              await context.run('CREATE TABLE waited (id INT)')
              await new Promise((resolve) => setTimeout(resolve, 2_500))
              await context.run('INSERT INTO waited VALUES (1)')
            },
          },
        ]),
      }),
    )
    expect(failure.cause.sqlState).toBe('25P03')
    expect(failure.cause.message).toContain('idle-in-transaction timeout')
    expect(failure.cause.hint).toContain('idle_in_transaction_session_timeout')
    expect(await sql(database.url, "SELECT to_regclass('waited') AS waited, (SELECT count(*) FROM mig_migrations) AS recorded")).toEqual([
      { waited: null, recorded: '0' },
    ])
  })

  it("sends the server settings in the connection string's options to the server", async () => {
    const url = new URL(database.url)
    url.searchParams.set('options', '-c lock_timeout=4s')
    const seen: Settings[] = []
    const read = async (context: MigrationContext) => {
      seen.push(...(await context.query<Settings>(READ_SETTINGS)))
    }
    await new Migrator({
      driver: postgresDriver({ connectionString: url.toString() }),
      source: fromList([
        { version: 1, name: 'inside', up: read },
        { version: 2, name: 'outside', transaction: false, up: read },
      ]),
    }).up()
    expect(seen.map((settings) => settings.lock_timeout)).toEqual(['4s', '4s'])
  })

  it("applies mig's default lock_timeout to each migration's transaction where the session has none, and only there", async () => {
    const seen: Settings[] = []
    const read = async (context: MigrationContext) => {
      seen.push(...(await context.query<Settings>(READ_SETTINGS)))
    }
    await new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([
        // A session setting left by one migration does not become the next one's lock_timeout.
        { version: 1, name: 'leaves_a_setting', up: async (context) => context.run("SET lock_timeout = '1s'") },
        { version: 2, name: 'inside', up: read },
      ]),
    }).up()
    expect(seen.map((settings) => settings.lock_timeout)).toEqual(['5s'])
  })

  it('refuses timeouts that are not durations, before connecting', () => {
    expect(() => driver({ lockTimeout: '5 parsecs' })).toThrow(InvalidOptionsError)
    expect(() => driver({ statementTimeout: -1 })).toThrow(InvalidOptionsError)
    expect(() => driver({ lockTimeout: "1s'; DROP TABLE x; --" })).toThrow(InvalidOptionsError)
    for (const connectTimeoutMs of [0, -1, 1.5, Number.NaN, '5s' as unknown as number]) {
      expect(() => driver({ connectTimeoutMs })).toThrow(/connectTimeoutMs must be a positive whole number/)
    }
  })

  describe('connectTimeoutMs', () => {
    const status = (connectionString: string) =>
      new Migrator({ driver: postgresDriver({ connectionString, connectTimeoutMs: 500 }), source: fromList([]) })
        .status()
        .catch((error: unknown) => error)

    /** A server that accepts connections and never answers; `sockets` are the connections it took. */
    async function withSilentServer(work: (port: number, sockets: readonly Socket[]) => Promise<void>): Promise<void> {
      const sockets: Socket[] = []
      const silent = createServer((socket) => sockets.push(socket))
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      try {
        await work((silent.address() as { port: number }).port, sockets)
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => silent.close(resolve))
      }
    }

    it(
      'gives up on a server that accepts the connection but never answers, naming it and saying it timed out',
      () =>
        withSilentServer(async (port) => {
          const error = await status(`postgres://someone:S3cret-Pa55word@127.0.0.1:${port}/nowhere`)
          expect(error).toBeInstanceOf(DatabaseError)
          expect((error as DatabaseError).sqlState).toBe('ETIMEDOUT')
          expect((error as Error).message).toContain(`127.0.0.1:${port}`)
          expect((error as Error).message).toContain('timed out after 500 ms')
          expect((error as Error).message).not.toContain('S3cret-Pa55word')
        }),
      10_000,
    )

    it(
      'stops an up at start-up after one connectTimeoutMs, not two: it does not connect again to take the lock',
      () =>
        withSilentServer(async (port, sockets) => {
          const error = await new Migrator({
            driver: postgresDriver({ connectionString: `postgres://someone@127.0.0.1:${port}/nowhere`, connectTimeoutMs: 500 }),
            source: fromList([{ version: 1, name: 'first', up: 'SELECT 1' }]),
          })
            .up()
            .catch((error: unknown) => error)
          expect(error).toBeInstanceOf(DatabaseError)
          expect((error as DatabaseError).sqlState).toBe('ETIMEDOUT')
          expect(sockets).toHaveLength(1)
        }),
      10_000,
    )

    it('fails at once on a closed port, naming the server', async () => {
      const closed = createServer()
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
      const { port } = closed.address() as { port: number }
      await new Promise((resolve) => closed.close(resolve))
      const error = await status(`postgres://someone@127.0.0.1:${port}/nowhere`)
      expect(error).toBeInstanceOf(DatabaseError)
      expect((error as DatabaseError).sqlState).toBe('ECONNREFUSED')
      expect((error as Error).message).toContain(`Could not connect to PostgreSQL at 127.0.0.1:${port}`)
    }, 10_000)
  })
})
