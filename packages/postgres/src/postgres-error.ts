import { DatabaseError, redactUrl, secretsOf } from '@mig/core'
import type { ClientLease } from './postgres-client.js'

/** The fields of pg's error that mig reads; server errors have a five-character SQLSTATE `code`. */
interface PgErrorFields {
  readonly message?: string
  readonly code?: string
  readonly detail?: string
  readonly hint?: string
  readonly position?: string
  readonly where?: string
  readonly severity?: string
}

const HINTS: Record<string, string> = {
  // A statement such as CREATE INDEX CONCURRENTLY cannot run inside a transaction block.
  '25001': 'Put "-- mig:no-transaction" at the top of the migration file to run it outside a transaction.',
  // The session waited between two statements of a transaction, e.g. a code migration awaiting something else.
  '25P03':
    "The migration's transaction sat idle between two statements longer than idle_in_transaction_session_timeout (mig sets it to lockLeaseMs, 30 s by default, on its own session unless a transaction pooler is in between). Do not wait inside a migration, or raise the setting for the role mig connects as.",
}

/**
 * Turns an error from pg into core's {@link DatabaseError}. `sql` is the text that was sent: the
 * server's position counts characters from 1, and the error's position is a 0-based UTF-16
 * offset into that text.
 */
export function databaseError(error: unknown, sql?: string): DatabaseError {
  if (error instanceof DatabaseError) return error
  const fields = (typeof error === 'object' && error !== null ? error : {}) as PgErrorFields
  const message = fields.message ?? String(error)
  if (!isServerError(fields)) {
    return new DatabaseError(`The PostgreSQL connection failed: ${message}`, { sqlState: fields.code, connectionLost: true, cause: error })
  }
  return new DatabaseError(`${message} (SQLSTATE ${fields.code})`, {
    sqlState: fields.code,
    // A FATAL error ends the session: sent during COMMIT (a terminated backend waiting for a
    // synchronous standby), the transaction may already be committed.
    connectionLost: fields.severity === 'FATAL' || fields.severity === 'PANIC',
    detail: [fields.detail, fields.where && `Context: ${fields.where}`].filter(Boolean).join('\n') || undefined,
    hint: fields.hint ?? HINTS[fields.code ?? ''],
    position: sql === undefined || fields.position === undefined ? undefined : offsetOfCharacter(sql, Number(fields.position) - 1),
    cause: error,
  })
}

/** The error with its position moved by `by` characters: for SQL sent inside a larger text, or a statement of a larger file. */
export function shiftPosition(error: DatabaseError, by: number): DatabaseError {
  if (error.position === undefined) return error
  const { sqlState, detail, hint, cause } = error
  const position = error.position + by
  return new DatabaseError(error.message, { sqlState, detail, hint, cause, position: position >= 0 ? position : undefined })
}

/**
 * A failure to connect, with the connection string's password masked. The pg error is left out
 * as the cause because some of them quote the connection string. `timedOutMs` says the server
 * did not answer within that many milliseconds.
 */
export function connectionError(error: unknown, connectionString: string | undefined, timedOutMs?: number): DatabaseError {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as PgErrorFields
  if (connectionString === undefined) {
    return new DatabaseError(`Could not connect to PostgreSQL from the pool: ${fields.message ?? String(error)}`, { sqlState: fields.code })
  }
  const where = `${serverOf(connectionString)} (${redactUrl(connectionString)})`
  if (timedOutMs !== undefined) {
    return new DatabaseError(
      `Connecting to PostgreSQL at ${where} timed out after ${timedOutMs} ms. Check the host and port and that the server is reachable from here, or raise connectTimeoutMs.`,
      { sqlState: 'ETIMEDOUT' },
    )
  }
  let message = fields.message ?? String(error)
  for (const secret of secretsOf(connectionString)) message = message.split(secret).join('***')
  return new DatabaseError(`Could not connect to PostgreSQL at ${where}: ${explained(message, fields.code, connectionString)}`, {
    sqlState: fields.code,
  })
}

/** pg's own wording (or the server's SQLSTATE) for the failures a user can fix, turned into what to do. */
function explained(message: string, sqlState: string | undefined, connectionString: string): string {
  const sslMode = sslModeOf(connectionString)
  // 28P01: the server refused the password, or (so as not to say which) the user name it came with.
  if (sqlState === '28P01') {
    return (
      `${message}. Check the user name and the password: the one in the URL (percent-encoded), or in the PGPASSWORD ` +
      'environment variable when the URL has none.'
    )
  }
  // 28000 also covers pg_hba.conf refusals, which say what to change themselves.
  if (sqlState === '28000' && /^role ".*" does not exist$/.test(message)) {
    return `${message}. Check the user name in the URL (or in the PGUSER environment variable when the URL has none).`
  }
  if (sqlState === 'ECONNREFUSED') {
    return `${message}. Nothing accepts connections there: check the host and port in the URL, and that PostgreSQL is running.`
  }
  if (sqlState === 'ENOTFOUND' || sqlState === 'EAI_AGAIN') {
    return `${message}. The host name could not be resolved: check the host in the URL.`
  }
  if (/client password must be a string|SCRAM-SERVER-FIRST-MESSAGE/i.test(message)) {
    return (
      'the server asks for a password (SCRAM authentication), and none was given. Put it in the URL ' +
      '(postgres://user:password@host/database, percent-encoded) or in the PGPASSWORD environment variable.'
    )
  }
  if (/does not support SSL/i.test(message)) {
    return (
      `the server does not accept SSL connections, and sslmode=${sslMode ?? 'require'} needs one. ` +
      'Use sslmode=prefer to connect with SSL only when the server offers it, or sslmode=disable.'
    )
  }
  // PgBouncer refuses startup parameters it does not know, unless its ignore_startup_parameters lists them.
  if (/unsupported startup parameter: options/i.test(message)) {
    return (
      `${message}. A pooler such as PgBouncer does not pass the URL's options parameter on: remove it from the URL and set ` +
      'those settings on the role instead (ALTER ROLE … SET lock_timeout = …), or connect to PostgreSQL directly.'
    )
  }
  if (
    /self[- ]signed certificate|unable to (?:verify|get local issuer)|certificate has expired|Hostname\/IP does not match/i.test(message)
  ) {
    return (
      `the server's certificate could not be verified (${message}). With sslmode=verify-full or verify-ca, name the CA that ` +
      'signed it with sslrootcert=/path/to/ca.pem; sslmode=require encrypts without verifying the certificate, as in libpq.'
    )
  }
  return message
}

function sslModeOf(connectionString: string): string | undefined {
  try {
    return new URL(connectionString).searchParams.get('sslmode') ?? undefined
  } catch {
    return undefined
  }
}

/** `host:port` of the server, with pg's defaults for what the URL leaves out. */
function serverOf(connectionString: string): string {
  try {
    const url = new URL(connectionString)
    return `${url.searchParams.get('host') || url.hostname || 'localhost'}:${url.searchParams.get('port') || url.port || '5432'}`
  } catch {
    return 'an unknown server'
  }
}

export function isServerError(error: unknown): boolean {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as PgErrorFields
  return typeof fields.severity === 'string' && typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code)
}

/**
 * The error of a query on `lease`: once its connection broke, pg fails every query with "not
 * queryable", and the error that broke it (the server's own, such as a terminated session) says why.
 */
export function leaseQueryError(lease: Pick<ClientLease, 'failure'>, error: unknown, sql?: string): DatabaseError {
  const failure = lease.failure
  return databaseError(failure && isServerError(failure) && !isServerError(error) ? failure : error, sql)
}

/** The UTF-16 offset of the n-th character (code point), as PostgreSQL counts them. */
function offsetOfCharacter(sql: string, characters: number): number | undefined {
  if (!Number.isInteger(characters) || characters < 0) return undefined
  let offset = 0
  for (let counted = 0; counted < characters; counted++) {
    const code = sql.codePointAt(offset)
    if (code === undefined) return undefined
    offset += code > 0xffff ? 2 : 1
  }
  return offset
}
