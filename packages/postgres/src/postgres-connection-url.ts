import { accessSync, constants, statSync } from 'node:fs'
import { InvalidOptionsError, redactUrl } from '@mig/core'

/** The sslmode a connection asked for, as libpq names them; undefined when the URL names none. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'

const SSL_MODES: readonly string[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
const CERTIFICATE_PARAMETERS = ['sslrootcert', 'sslcert', 'sslkey']

export interface ConnectionUrl {
  /** What pg gets: with `uselibpqcompat=true`, so that sslmode means what it means to libpq. */
  readonly connectionString: string
  readonly sslMode: SslMode | undefined
  /** The URL as it was given, which messages show (masked): the parameters mig adds are not the user's. */
  readonly given: string
}

/**
 * Checks a PostgreSQL URL before pg reads it, and gives `sslmode` its libpq meaning: pg on its
 * own treats `require` and `verify-ca` as `verify-full`, so a server with a self-signed
 * certificate that psql reaches with `sslmode=require` would be refused. `prefer` and `allow`
 * fall back to an unencrypted connection when the server has no SSL (see `openClient`).
 */
export function checkConnectionUrl(connectionString: string): ConnectionUrl {
  const shown = redactUrl(connectionString)
  checkCredentials(connectionString)
  const url = new URL(connectionString)
  const sslMode = url.searchParams.get('sslmode') ?? undefined
  if (sslMode !== undefined && !SSL_MODES.includes(sslMode)) {
    throw new InvalidOptionsError(`sslmode=${sslMode} in ${shown} is not an sslmode. Use one of ${SSL_MODES.join(', ')}.`)
  }
  for (const parameter of CERTIFICATE_PARAMETERS) {
    const path = url.searchParams.get(parameter)
    if (path) checkReadableFile(parameter, path)
  }
  const libpqMeaning = !url.searchParams.has('uselibpqcompat') || url.searchParams.get('uselibpqcompat') === 'true'
  // pg would throw an untyped error from inside the connect; libpq would look for ~/.postgresql/root.crt, which pg never reads.
  if (sslMode === 'verify-ca' && libpqMeaning && !url.searchParams.get('sslrootcert')) {
    throw new InvalidOptionsError(
      `sslmode=verify-ca in ${shown} needs sslrootcert naming the CA certificate that signed the server's certificate ` +
        '(sslrootcert=/path/to/ca.pem). Add it, or use sslmode=verify-full to verify against the CAs Node.js trusts.',
    )
  }
  if (sslMode === undefined || url.searchParams.has('uselibpqcompat')) {
    return { connectionString, sslMode: sslMode as SslMode | undefined, given: connectionString }
  }
  // libpq's allow tries without SSL first; pg cannot, so it is treated as prefer: SSL when the server has it.
  if (sslMode === 'allow') url.searchParams.set('sslmode', 'prefer')
  url.searchParams.set('uselibpqcompat', 'true')
  return { connectionString: url.toString(), sslMode: sslMode as SslMode, given: connectionString }
}

/** The same URL without SSL, for `prefer` and `allow` against a server that has none. */
export function withoutSsl(connectionString: string): string {
  const url = new URL(connectionString)
  url.searchParams.set('sslmode', 'disable')
  url.searchParams.delete('uselibpqcompat')
  return url.toString()
}

/**
 * libpq and pg end the user part at the first `@`, so `postgres://u:ab@cd/ef@host/db` would
 * send `cd` as the host. A second `@`, or a `/` before the `@`, can only be a password that
 * was not percent-encoded.
 */
export function checkCredentials(connectionString: string): void {
  const rest =
    connectionString
      .trim()
      .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
      .split(/[?#]/)[0] ?? ''
  const at = rest.lastIndexOf('@')
  if (at < 0) return
  if (rest.indexOf('@') === at && !rest.slice(0, at).includes('/')) return
  throw new InvalidOptionsError(
    `The user name or password in ${redactUrl(connectionString)} holds an "@" or "/" that is not percent-encoded, so the URL cannot be read ` +
      'the way you meant: PostgreSQL clients would take part of the password for the host. Percent-encode the password: ' +
      '@ as %40, / as %2F, : as %3A, ? as %3F, # as %23 (encodeURIComponent does it).',
  )
}

function checkReadableFile(parameter: string, path: string): void {
  let problem: string | undefined
  try {
    if (!statSync(path).isFile()) problem = 'is not a file'
    else accessSync(path, constants.R_OK)
  } catch (error) {
    const code = (error as { code?: string }).code
    problem = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`
  }
  if (problem) {
    const what =
      parameter === 'sslrootcert' ? "the server's CA certificate" : parameter === 'sslcert' ? 'the client certificate' : 'the client key'
    throw new InvalidOptionsError(
      `${parameter}=${path} ${problem}. It must name ${what} as a PEM file, relative to the folder mig runs in or absolute; fix the path in the URL, or leave ${parameter} out.`,
    )
  }
}
