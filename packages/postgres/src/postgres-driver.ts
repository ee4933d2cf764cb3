import { randomBytes } from 'node:crypto'
import {
  assertPlainIdentifier,
  type Driver,
  defineDriver,
  InvalidOptionsError,
  redactUrl,
  refuseUnknownOptions,
  type SchemaObjectRef,
  type ScratchDatabase,
} from '@mig/core'
import pg from 'pg'
import { borrowCheckClient, borrowClient, type ClientLease, type ConnectionWait, openClient, type PostgresPool } from './postgres-client.js'
import { checkConnectionUrl, checkCredentials } from './postgres-connection-url.js'
import { postgresDialectText } from './postgres-dialect-text.js'
import { databaseError } from './postgres-error.js'
import { quotePostgresIdentifier, quotePostgresRoutineSignature } from './postgres-identifier.js'
import { type PostgresLockKind, postgresLockPart } from './postgres-lock.js'
import { describePostgresSchema } from './postgres-schema.js'
import { renderPostgresChanges } from './postgres-schema-changes.js'
import { renderPostgresSchema } from './postgres-schema-render.js'
import { PostgresSession } from './postgres-session.js'
import { type TimeoutSetting, timeoutSetting } from './postgres-timeouts.js'

interface PostgresDriverCommonOptions {
  /** Schema of the history table when the Migrator's `schema` option is not given. Default `public`; created if missing. */
  readonly schema?: string
  /**
   * `lock_timeout` for migration SQL: milliseconds, or a PostgreSQL duration like `'5s'`.
   * Default `'5s'` where the session has no `lock_timeout` of its own (from the role, the
   * database or the URL's `options`); 0 turns it off. A migration waiting longer for a table lock fails with
   * SQLSTATE 55P03 instead of queueing (and making every later query on that table queue
   * behind it); core rolls it back and retries it (the Migrator's `lockTimeoutRetries`). A
   * file's `-- mig:lock-timeout 30s` overrides it for that migration.
   */
  readonly lockTimeout?: number | string
  /**
   * Which migration lock: `'auto'` (default) takes a session advisory lock on a connection
   * proven direct (the server sees mig's own socket), and the lease lock through anything in
   * between (PgBouncer in any mode, a proxy); `'lease'` always takes the lease lock (a row in `<history table>_lock`,
   * renewed by a heartbeat and checked inside each migration's transaction), which works
   * through any pooler that allows transactions; `'advisory'` refuses to run behind a
   * transaction pooler. See docs/deploying.md.
   */
  readonly lock?: PostgresLockKind
  /**
   * How long the migration lock outlives a runner that vanished without a word (killed host,
   * dropped network): the lease's length, renewed every third of it, and the idle limit of the
   * advisory lock's connection. A runner whose lock connection stops answering for this long
   * stops before its next commit. Default 30 000 ms.
   */
  readonly lockLeaseMs?: number
  /** `statement_timeout` for migration SQL: milliseconds, or a duration like `'10min'`. */
  readonly statementTimeout?: number | string
  /**
   * How long to wait for a connection, in milliseconds: for the server to answer, or for a
   * pool to have a free client for migrations. Default 10 000. (A pool's client for the lock is
   * waited for within the Migrator's `lockWaitMs` instead.)
   */
  readonly connectTimeoutMs?: number
}

export type PostgresDriverOptions = PostgresDriverCommonOptions &
  (
    | {
        /**
         * `postgres://user:password@host:port/database?sslmode=require`; mig opens and closes its
         * own connections. `process.env.DATABASE_URL` may be passed as it is: unset, it is refused
         * with a message that says so.
         */
        readonly connectionString: string | undefined
        readonly pool?: undefined
      }
    | {
        /** A `pg.Pool` the application owns. mig checks out two clients per operation and never ends the pool. */
        readonly pool: PostgresPool
        readonly connectionString?: undefined
      }
  )

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const DEFAULT_LOCK_TIMEOUT = { name: 'lock_timeout', value: '5s', fallback: true } as const
const DEFAULT_LOCK_LEASE_MS = 30_000
const LOCK_KINDS: readonly PostgresLockKind[] = ['auto', 'advisory', 'lease']

const OPTIONS: Readonly<Record<keyof PostgresDriverCommonOptions | 'connectionString' | 'pool', true>> = {
  connectionString: true,
  pool: true,
  schema: true,
  lockTimeout: true,
  lock: true,
  lockLeaseMs: true,
  statementTimeout: true,
  connectTimeoutMs: true,
}

/** A mig driver for PostgreSQL 13 or later, over `pg`. */
export function postgresDriver(options: PostgresDriverOptions): Driver<PostgresSession> {
  refuseUnknownOptions(options, OPTIONS, 'postgresDriver')
  const connectTimeoutMs = options?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  if (!Number.isSafeInteger(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new InvalidOptionsError(
      `connectTimeoutMs must be a positive whole number of milliseconds, not ${JSON.stringify(connectTimeoutMs)}.`,
    )
  }
  const lockLeaseMs = options?.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS
  if (!Number.isSafeInteger(lockLeaseMs) || lockLeaseMs < 1_000) {
    throw new InvalidOptionsError(
      `lockLeaseMs must be a whole number of milliseconds, 1000 or more, not ${JSON.stringify(options.lockLeaseMs)}.`,
    )
  }
  const lockKind = options?.lock ?? 'auto'
  if (!LOCK_KINDS.includes(lockKind)) {
    throw new InvalidOptionsError(`lock must be "auto", "advisory" or "lease", not ${JSON.stringify(options.lock)}.`)
  }
  const source = connectionSource(options, connectTimeoutMs)
  // A check must not wait on a pool the run may hold every client of.
  const checkSource = options.pool ? (wait: ConnectionWait) => borrowCheckClient(options.pool, wait) : source
  const defaultSchema = options.schema === undefined ? 'public' : assertPlainIdentifier('schema', options.schema)
  const timeouts = [
    options.lockTimeout === undefined ? { ...DEFAULT_LOCK_TIMEOUT } : timeoutSetting('lockTimeout', options.lockTimeout),
    timeoutSetting('statementTimeout', options.statementTimeout),
  ].filter((setting): setting is TimeoutSetting => setting !== undefined)
  const connectionString = options.connectionString
  return defineDriver<PostgresSession>({
    dialect: 'postgres',
    schemas: true,
    text: postgresDialectText(defaultSchema),
    connect: async ({ purpose } = {}) =>
      new PostgresSession(await (purpose === 'check' ? checkSource : source)({ timeoutMs: connectTimeoutMs }), timeouts),
    lock: postgresLockPart(source, defaultSchema, { kind: lockKind, leaseMs: lockLeaseMs }),
    schema: {
      async describe(session, table) {
        try {
          return await describePostgresSchema(session.client, table.schema ?? defaultSchema, table.name)
        } catch (error) {
          throw databaseError(error)
        }
      },
      // A scratch database needs a URL to connect to it; a pool has none to offer.
      createScratchDatabase:
        connectionString === undefined ? undefined : () => createScratchDatabase({ ...options, connectionString }, connectTimeoutMs),
      renderDrop,
      renderSchema: renderPostgresSchema,
      renderChanges: renderPostgresChanges,
    },
  })
}

function connectionSource(options: PostgresDriverOptions, connectTimeoutMs: number): (wait: ConnectionWait) => Promise<ClientLease> {
  if (options && 'connectionString' in options && options.connectionString === undefined && options.pool === undefined) {
    throw new InvalidOptionsError(
      'postgresDriver got connectionString: undefined. Is the environment variable that should hold the URL (such as DATABASE_URL) set?',
    )
  }
  if (!options || (options.connectionString === undefined) === (options.pool === undefined)) {
    throw new InvalidOptionsError(
      'postgresDriver needs either connectionString or pool, e.g. postgresDriver({ connectionString: process.env.DATABASE_URL }).',
    )
  }
  if (options.pool) {
    const pool = options.pool
    if (typeof pool.connect !== 'function') throw new InvalidOptionsError('pool must be a pg.Pool (or have its connect() method).')
    // A client has a connect() too, which would connect the application's client and then fail.
    if (pool instanceof pg.Client) {
      throw new InvalidOptionsError(
        'pool is a pg.Client, but mig needs a pg.Pool: it takes two connections, one for the lock and one for the migrations. Pass a pg.Pool, or a connectionString for connections of its own.',
      )
    }
    // The lock and the migrations each need a connection; with one, the second would wait forever.
    if (typeof pool.options?.max === 'number' && pool.options.max < 2) {
      throw new InvalidOptionsError(`mig needs two connections from the pool, but its max is ${pool.options.max}. Raise max to 2 or more.`)
    }
    return (wait) => borrowClient(pool, wait)
  }
  const connectionString = options.connectionString
  if (typeof connectionString === 'string') checkCredentials(connectionString)
  if (typeof connectionString !== 'string' || !/^postgres(ql)?:\/\//i.test(connectionString) || !URL.canParse(connectionString)) {
    const shown = typeof connectionString === 'string' && URL.canParse(connectionString) ? ` (${redactUrl(connectionString)})` : ''
    throw new InvalidOptionsError(`connectionString${shown} is not a PostgreSQL URL. Use postgres://user:password@host:5432/database.`)
  }
  const checked = checkConnectionUrl(connectionString)
  return () => openClient(checked, connectTimeoutMs)
}

const DROP_KEYWORDS: Record<SchemaObjectRef['kind'], string> = {
  view: 'VIEW',
  'materialized-view': 'MATERIALIZED VIEW',
  table: 'TABLE',
  routine: 'ROUTINE',
  domain: 'DOMAIN',
  type: 'TYPE',
  enum: 'TYPE',
  sequence: 'SEQUENCE',
  extension: 'EXTENSION',
}

function renderDrop(object: SchemaObjectRef): string {
  // A routine's name carries its argument types: `add(integer, integer)`.
  const name = object.kind === 'routine' ? quotePostgresRoutineSignature(object.name) : quotePostgresIdentifier(object.name)
  return `DROP ${DROP_KEYWORDS[object.kind]} ${name};`
}

/**
 * A new empty database beside the configured one (`CREATE DATABASE` needs the CREATEDB
 * privilege), on which core builds what the migrations produce.
 */
async function createScratchDatabase(
  options: PostgresDriverOptions & { connectionString: string },
  connectTimeoutMs: number,
): Promise<ScratchDatabase> {
  const name = `mig_scratch_${randomBytes(6).toString('hex')}`
  const onServer = async (sql: string) => {
    const lease = await openClient(checkConnectionUrl(options.connectionString), connectTimeoutMs)
    try {
      await lease.client.query(sql)
    } catch (error) {
      throw databaseError(error)
    } finally {
      await lease.release()
    }
  }
  await onServer(`CREATE DATABASE ${name}`)
  const url = new URL(options.connectionString)
  url.pathname = `/${name}`
  return {
    driver: postgresDriver({ ...options, connectionString: url.toString() }),
    destroy: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}
