import { DatabaseError, type DatabaseLifecycleOptions, type DatabaseProbe, InvalidOptionsError, redactUrl } from '@mig/core'
import pg from 'pg'
import { type ClientLease, openClient } from './postgres-client.js'
import { checkConnectionUrl } from './postgres-connection-url.js'
import { DEFAULT_CONNECT_TIMEOUT_MS } from './postgres-driver.js'
import { databaseError } from './postgres-error.js'
import { quotePostgresIdentifier } from './postgres-identifier.js'
import { checkPostgresUrl } from './postgres-url.js'

/** A relative path means nothing to PostgreSQL. */
type LifecycleOptions = Pick<DatabaseLifecycleOptions, 'connectTimeoutMs'>

/** Where `CREATE DATABASE` and `DROP DATABASE` run from. */
const MAINTENANCE_DATABASE = 'postgres'
const FALLBACK_MAINTENANCE_DATABASE = 'template1'
/** SQLSTATEs that say the server will take connections soon: starting up or shutting down, or too many clients. */
const NOT_YET = new Set(['57P03', '53300'])
const UNDEFINED_DATABASE = '3D000'
const DUPLICATE_DATABASE = '42P04'
/** NAMEDATALEN - 1: the longest name PostgreSQL keeps whole. */
const MAX_NAME_BYTES = 63

/**
 * Tries once to connect to the database the URL names. Failures that waiting cannot cure (a
 * wrong password, a role that does not exist, a bad URL) are thrown, so that `mig wait` stops at
 * once instead of waiting out its timeout.
 */
export async function probeDatabase(url: string, options: LifecycleOptions = {}): Promise<DatabaseProbe> {
  const connectionUrl = checkConnectionUrl(checkPostgresUrl(url))
  let lease: ClientLease | undefined
  try {
    lease = await openClient(connectionUrl, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
    await lease.client.query('SELECT 1')
    return { state: 'ready' }
  } catch (error) {
    const failure = databaseError(error)
    if (failure.sqlState === UNDEFINED_DATABASE) return { state: 'missing-database', reason: failure.message }
    if (isTransient(failure)) return { state: 'unreachable', reason: failure.message }
    throw failure
  } finally {
    await lease?.release()
  }
}

/**
 * Creates the database the URL names, from the server's maintenance database, unless it exists.
 * The name is quoted as an identifier, so any name is taken literally. Needs the CREATEDB privilege.
 */
export async function createDatabase(url: string, options: LifecycleOptions = {}): Promise<'created' | 'exists'> {
  const name = databaseName(url, 'create')
  return onMaintenanceDatabase(url, options, async (lease) => {
    if (await exists(lease, name)) return 'exists'
    try {
      await lease.client.query(`CREATE DATABASE ${quotePostgresIdentifier(name)}`)
      return 'created'
    } catch (error) {
      // Another runner created it between the check and the statement.
      if ((error as { code?: string }).code === DUPLICATE_DATABASE) return 'exists'
      throw privilegeHint(databaseError(error), 'CREATEDB')
    }
  })
}

/** Drops the database the URL names, if it exists. Refuses the maintenance databases themselves. */
export async function dropDatabase(url: string, options: LifecycleOptions = {}): Promise<'dropped' | 'missing'> {
  const name = databaseName(url, 'drop')
  if ([MAINTENANCE_DATABASE, FALLBACK_MAINTENANCE_DATABASE, 'template0'].includes(name)) {
    throw new InvalidOptionsError(`mig db drop does not drop "${name}": the server needs it. Name the database to drop in the URL.`)
  }
  return onMaintenanceDatabase(url, options, async (lease) => {
    if (!(await exists(lease, name))) return 'missing'
    try {
      await lease.client.query(`DROP DATABASE IF EXISTS ${quotePostgresIdentifier(name)}`)
      return 'dropped'
    } catch (error) {
      throw privilegeHint(databaseError(error), 'ownership of the database (or superuser)')
    }
  })
}

/**
 * What a server that is not up yet gives: Node's network errors, SQLSTATE class 08, a server
 * starting or full, and pg's code-less timeout or dropped connection. Anything else (TLS, a
 * refused login) waiting cannot cure.
 */
function isTransient({ sqlState, message }: { sqlState?: string; message: string }): boolean {
  if (sqlState === undefined) return /timeout|terminated unexpectedly|Connection terminated/i.test(message)
  return NETWORK_ERRORS.has(sqlState) || sqlState.startsWith('08') || NOT_YET.has(sqlState)
}

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EADDRNOTAVAIL',
])

/**
 * The database a URL names, as pg reads it (pg decodes the path with `decodeURI`, so `%3B` stays
 * as written): creating a database under any other reading would leave the URL pointing elsewhere.
 * Creating or dropping needs it written out, not pg's default of the user's name.
 */
function databaseName(url: string, action: 'create' | 'drop'): string {
  const connectionString = checkPostgresUrl(url)
  const name = new URL(connectionString).pathname.slice(1) ? new pg.Client({ connectionString }).database : undefined
  if (!name) {
    throw new InvalidOptionsError(
      `The URL ${redactUrl(url)} names no database, so there is nothing to ${action}. Write it as postgres://user@host:5432/database.`,
    )
  }
  if (name.includes('\0')) {
    throw new InvalidOptionsError(
      `The database name in ${redactUrl(url)} holds a NUL byte (%00), which PostgreSQL does not allow. Remove it.`,
    )
  }
  // PostgreSQL cuts a longer name to 63 bytes, in CREATE DATABASE and on connecting alike, so two
  // URLs that differ past that byte would name one database.
  const bytes = Buffer.byteLength(name)
  if (bytes > MAX_NAME_BYTES) {
    throw new InvalidOptionsError(
      `The database name in ${redactUrl(url)} is ${bytes} bytes long, and PostgreSQL cuts names to ${MAX_NAME_BYTES} bytes, so it would ${action} a database of another name. Use a name of at most ${MAX_NAME_BYTES} bytes.`,
    )
  }
  return name
}

async function onMaintenanceDatabase<T>(url: string, options: LifecycleOptions, work: (lease: ClientLease) => Promise<T>): Promise<T> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const open = (database: string) => {
    const address = new URL(url.trim())
    address.pathname = `/${database}`
    return openClient(checkConnectionUrl(address.toString()), timeoutMs)
  }
  const lease = await open(MAINTENANCE_DATABASE).catch((error: unknown) => {
    // A server without a `postgres` database (some hosted ones) still has template1, as createdb knows.
    if (error instanceof DatabaseError && error.sqlState === UNDEFINED_DATABASE) return open(FALLBACK_MAINTENANCE_DATABASE)
    throw error
  })
  try {
    return await work(lease)
  } finally {
    await lease.release()
  }
}

async function exists(lease: ClientLease, name: string): Promise<boolean> {
  try {
    const { rows } = await lease.client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    return rows.length > 0
  } catch (error) {
    throw databaseError(error)
  }
}

function privilegeHint(error: DatabaseError, needs: string): DatabaseError {
  if (error.sqlState !== '42501') return error
  return new DatabaseError(error.message, {
    sqlState: error.sqlState,
    detail: error.detail,
    hint: `The role in the URL needs ${needs}; run the command as a role that has it.`,
    cause: error,
  })
}
