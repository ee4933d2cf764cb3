import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseError, fromList, InvalidOptionsError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { type EmbeddedTestPostgresServer, startEmbeddedPostgres } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from './support/postgres-test-database.js'

/**
 * One throwaway server for the whole file, as a production server is often set up: every login
 * needs a SCRAM-SHA-256 password, and SSL is on with a self-signed certificate for 127.0.0.1.
 */
const APP_PASSWORD = 'app-Secret-42'
const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INT)' }])

let server: EmbeddedTestPostgresServer
let folder: string
/** The server's self-signed certificate, which is also the CA that vouches for it. */
let certificate: string
/** A self-signed certificate of some other server, which vouches for nothing here. */
let otherCertificate: string

/** The app role's URL on the throwaway server, with `credentials` (`user:password`) and query parameters. */
const appUrl = (parameters = '', credentials = `mig_app:${APP_PASSWORD}`, host = '127.0.0.1') => {
  const port = new URL(server.url).port
  return `postgres://${credentials}@${host}:${port}/postgres${parameters ? `?${parameters}` : ''}`
}
const statusOf = (connectionString: string) => new Migrator({ driver: postgresDriver({ connectionString }), source }).status()
const failureOf = (connectionString: string) => statusOf(connectionString).catch((error: unknown) => error)
/** Whether mig's own connection is encrypted, as the server sees it. */
const encrypted = async (connectionString: string) => {
  const session = await postgresDriver({ connectionString }).connect()
  try {
    const [row] = await session.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
    return row?.ssl
  } finally {
    await session.close()
  }
}

function selfSignedCertificate(name: string): { certificate: string; key: string } {
  const [certificateFile, keyFile] = [join(folder, `${name}.crt`), join(folder, `${name}.key`)]
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'],
        ...['-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certificateFile],
      ],
      { stdio: 'pipe' },
    )
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new Error(
      missing
        ? 'These tests make a self-signed certificate with the openssl command, which is not installed. Install OpenSSL (the openssl package).'
        : `openssl could not make a self-signed certificate: ${String((error as { stderr?: unknown }).stderr ?? error)}`,
      { cause: error },
    )
  }
  return { certificate: certificateFile, key: keyFile }
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-connection-security-'))
  const own = selfSignedCertificate('mig-test-server')
  certificate = own.certificate
  otherCertificate = selfSignedCertificate('some-other-server').certificate
  server = await startEmbeddedPostgres({
    ssl: { certificate: await readFile(own.certificate, 'utf8'), key: await readFile(own.key, 'utf8') },
  })
  await sql(server.url, `CREATE ROLE mig_app LOGIN PASSWORD '${APP_PASSWORD}'`)
})

afterAll(async () => {
  await server?.stop()
  if (folder) await rm(folder, { recursive: true, force: true })
})

describe('a server that asks for a SCRAM password', () => {
  it('is what this file runs against: the password is stored as SCRAM and pg_hba.conf requires it', async () => {
    expect(await sql(server.url, "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = 'mig_app'")).toEqual([
      { scram: true },
    ])
    const rules = await sql<{ auth_method: string }>(server.url, "SELECT DISTINCT auth_method FROM pg_hba_file_rules WHERE type = 'host'")
    expect(rules).toEqual([{ auth_method: 'scram-sha-256' }])
  })

  it('a missing password is a DatabaseError that says a password is needed and where to put it', async () => {
    const url = appUrl('sslmode=disable', 'mig_app')
    const error = await failureOf(url)
    expect(error).toBeInstanceOf(DatabaseError)
    expect((error as Error).message).toBe(
      `Could not connect to PostgreSQL at 127.0.0.1:${new URL(server.url).port} (${url}): the server asks for a password (SCRAM authentication), and none was given. Put it in the URL (postgres://user:password@host/database, percent-encoded) or in the PGPASSWORD environment variable.`,
    )
  })

  it('the password in PGPASSWORD, where the missing-password error points, is used', async () => {
    const before = process.env.PGPASSWORD
    process.env.PGPASSWORD = APP_PASSWORD
    try {
      await expect(statusOf(appUrl('sslmode=disable', 'mig_app'))).resolves.toHaveLength(1)
    } finally {
      if (before === undefined) delete process.env.PGPASSWORD
      else process.env.PGPASSWORD = before
    }
  })

  it('a wrong password is a DatabaseError with SQLSTATE 28P01 that says to check the user name and password, and never shows it', async () => {
    const error = await failureOf(appUrl('sslmode=disable', 'mig_app:not-the-password'))
    expect(error).toBeInstanceOf(DatabaseError)
    expect((error as DatabaseError).sqlState).toBe('28P01')
    const message = (error as Error).message
    expect(message).toContain('password authentication failed for user "mig_app"')
    expect(message).toMatch(/Check the user name and the password: the one in the URL .* or in the PGPASSWORD/)
    expect(`${message}\n${JSON.stringify(error)}`).not.toContain('not-the-password')
    expect(message).toContain('mig_app:***@')
  })
})

describe('sslmode against a server with SSL on and a self-signed certificate', () => {
  it('disable connects without SSL; prefer, allow and require encrypt without verifying the certificate', async () => {
    expect(await encrypted(appUrl('sslmode=disable'))).toBe(false)
    for (const mode of ['prefer', 'allow', 'require']) expect(await encrypted(appUrl(`sslmode=${mode}`))).toBe(true)
  })

  it("without sslmode the connection is not encrypted, as in pg (libpq's default would be prefer)", async () => {
    expect(await encrypted(appUrl())).toBe(false)
  })

  it('require with sslrootcert verifies the CA, as in libpq', async () => {
    expect(await encrypted(appUrl(`sslmode=require&sslrootcert=${certificate}`, undefined, 'localhost'))).toBe(true)
    const otherCa = await failureOf(appUrl(`sslmode=require&sslrootcert=${otherCertificate}`))
    expect(otherCa).toBeInstanceOf(DatabaseError)
    expect((otherCa as Error).message).toMatch(/the server's certificate could not be verified/)
  })

  it('verify-full connects when sslrootcert names the CA and the host is the one in the certificate', async () => {
    expect(await encrypted(appUrl(`sslmode=verify-full&sslrootcert=${certificate}`))).toBe(true)
  })

  it('verify-full without the CA is refused, saying to name it with sslrootcert or to use require', async () => {
    const error = await failureOf(appUrl('sslmode=verify-full'))
    expect(error).toBeInstanceOf(DatabaseError)
    expect((error as Error).message).toMatch(
      /the server's certificate could not be verified \(self[- ]signed certificate\)\. With sslmode=verify-full or verify-ca, name the CA that signed it with sslrootcert=.*sslmode=require encrypts without verifying/,
    )
  })

  it('verify-full against another CA, or under another host name, is refused', async () => {
    const otherCa = await failureOf(appUrl(`sslmode=verify-full&sslrootcert=${otherCertificate}`))
    expect(otherCa).toBeInstanceOf(DatabaseError)
    expect((otherCa as Error).message).toMatch(/the server's certificate could not be verified/)
    const otherHost = await failureOf(appUrl(`sslmode=verify-full&sslrootcert=${certificate}`, undefined, 'localhost'))
    expect(otherHost).toBeInstanceOf(DatabaseError)
    expect((otherHost as Error).message).toMatch(/the server's certificate could not be verified \(Hostname\/IP does not match/)
  })

  it('verify-ca checks the CA but not the host name, and needs sslrootcert', async () => {
    expect(await encrypted(appUrl(`sslmode=verify-ca&sslrootcert=${certificate}`, undefined, 'localhost'))).toBe(true)
    const otherCa = await failureOf(appUrl(`sslmode=verify-ca&sslrootcert=${otherCertificate}`))
    expect((otherCa as Error).message).toMatch(/the server's certificate could not be verified/)
    const connect = () => postgresDriver({ connectionString: appUrl('sslmode=verify-ca') })
    expect(connect).toThrow(InvalidOptionsError)
    expect(connect).toThrow(/sslmode=verify-ca needs sslrootcert/)
  })

  it('a missing sslrootcert, a folder, or a dangling link is named with the fix before connecting', async () => {
    const certificates = join(folder, 'certificates')
    await mkdir(certificates)
    await symlink(join(certificates, 'gone.pem'), join(certificates, 'dangling.pem'))
    for (const [path, problem] of [
      [join(certificates, 'missing.pem'), 'does not exist'],
      [certificates, 'is not a file'],
      [join(certificates, 'dangling.pem'), 'does not exist'],
    ] as const) {
      const connect = () => postgresDriver({ connectionString: appUrl(`sslmode=verify-full&sslrootcert=${path}`) })
      expect(connect).toThrow(InvalidOptionsError)
      expect(connect).toThrow(`sslrootcert=${path} ${problem}. It must name the server's CA certificate`)
    }
  })
})
