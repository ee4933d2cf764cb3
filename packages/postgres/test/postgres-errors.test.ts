import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { DatabaseError, fromDirectory, fromList, InvalidOptionsError, MigrationFailedError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { sql, useDatabase } from './support/postgres-test-database.js'

describe('PostgreSQL errors', () => {
  const database = useDatabase()
  const folders: string[] = []
  afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))))

  const failureOf = async (migrator: Migrator) => {
    const failure = await migrator.up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    return failure as MigrationFailedError & { cause: DatabaseError }
  }
  const fromFile = async (content: string, file = '0001_broken.sql') => {
    const folder = await mkdtemp(join(tmpdir(), 'mig-postgres-errors-'))
    folders.push(folder)
    await writeFile(join(folder, file), content)
    return fromDirectory(folder)
  }
  const driver = () => postgresDriver({ connectionString: database.url })

  it('maps the server position to a line and column of the migration file, with the SQLSTATE', async () => {
    const source = await fromFile("-- mig:up\nCREATE TABLE shapes (id INT);\nSELECT '😀 two emoji 😀', colour\n  FROM shapes;\n")
    const failure = await failureOf(new Migrator({ driver: driver(), source }))
    expect(failure.message).toContain('0001_broken.sql:3:')
    const line = "SELECT '😀 two emoji 😀', colour"
    expect(line.slice((failure.position?.column ?? 0) - 1)).toMatch(/^colour/)
    expect(failure.cause).toBeInstanceOf(DatabaseError)
    expect(failure.cause.sqlState).toBe('42703')
    expect(failure.message).toContain('SQLSTATE 42703')
    expect(await sql(database.url, "SELECT to_regclass('shapes') AS shapes")).toEqual([{ shapes: null }])
  })

  it('carries the detail, the hint and the context of the error', async () => {
    const failure = await failureOf(
      new Migrator({
        driver: driver(),
        source: fromList([
          {
            version: 1,
            name: 'raise',
            up: "DO $$ BEGIN RAISE EXCEPTION 'custom failure' USING DETAIL = 'the detail', HINT = 'the hint', ERRCODE = 'P0001'; END $$;",
          },
        ]),
      }),
    )
    expect(failure.cause).toMatchObject({ sqlState: 'P0001', hint: 'the hint' })
    expect(failure.cause.detail).toContain('the detail')
    expect(failure.cause.detail).toContain('PL/pgSQL')
    expect(failure.message).toContain('Hint: the hint')
  })

  describe('never shows a password', () => {
    const password = 'S3cret-Pa55word'
    const withCredentials = (url: string, user: string) => {
      const parsed = new URL(url)
      parsed.username = user
      parsed.password = password
      return parsed.toString()
    }
    const expectRedacted = (error: unknown) => {
      expect(error).toBeInstanceOf(Error)
      const shown = `${String(error)}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`
      expect(shown).not.toContain(password)
      expect(shown).toContain('***')
    }
    const status = (connectionString: string) =>
      new Migrator({ driver: postgresDriver({ connectionString }), source: fromList([]) }).status().catch((error: unknown) => error)

    it('when the login is refused', async () => {
      const error = await status(withCredentials(database.url, 'no_such_role'))
      expect(error).toBeInstanceOf(DatabaseError)
      expect((error as DatabaseError).sqlState).toMatch(/^28/)
      expectRedacted(error)
    })

    it('when the server cannot be reached', async () => {
      const error = await status(withCredentials('postgres://127.0.0.1:1/nowhere', 'someone'))
      expect(error).toBeInstanceOf(DatabaseError)
      expect((error as DatabaseError).sqlState).toBe('ECONNREFUSED')
      expect((error as Error).message).toMatch(
        /ECONNREFUSED 127\.0\.0\.1:1\. Nothing accepts connections there: check the host and port in the URL/,
      )
      expectRedacted(error)
    })

    it('names the fix for a user name or host name that does not exist', async () => {
      const noRole = new URL(database.url)
      noRole.username = 'no_such_role'
      const roleError = await status(noRole.toString())
      expect(roleError).toBeInstanceOf(DatabaseError)
      // Refused by its password under md5 or scram (28P01), by its name under trust (28000): both name the user.
      expect((roleError as Error).message).toMatch(/Check the user name/)
      const hostError = await status(withCredentials('postgres://no-such-host.invalid/nowhere', 'someone'))
      expect(hostError).toBeInstanceOf(DatabaseError)
      expect((hostError as Error).message).toMatch(/could not be resolved: check the host in the URL\.$/)
      expectRedacted(hostError)
    })

    it('when the URL is malformed', () => {
      const error = (() => {
        try {
          postgresDriver({ connectionString: `mysql://someone:${password}@localhost/db` })
        } catch (caught) {
          return caught
        }
      })()
      expect(error).toBeInstanceOf(InvalidOptionsError)
      expectRedacted(error)
    })
  })

  it('refuses an option it does not take, naming the options it has', () => {
    expect(() => postgresDriver({ connectionString: database.url, lockTimeoutMs: 2_000 } as never)).toThrow(
      new InvalidOptionsError(
        'postgresDriver has no option "lockTimeoutMs"; its options are connectionString, pool, schema, lockTimeout, lock, lockLeaseMs, statementTimeout, connectTimeoutMs.',
      ),
    )
  })

  it('takes an environment variable as the URL as it is, and says so when it is unset', async () => {
    process.env.MIG_TEST_SERVICE_DATABASE_URL = database.url
    const source = fromList([{ version: 1, name: 'create', up: 'CREATE TABLE from_env (id INT)' }])
    await new Migrator({ driver: postgresDriver({ connectionString: process.env.MIG_TEST_SERVICE_DATABASE_URL }), source }).up()
    expect(await sql(database.url, "SELECT count(*)::int AS tables FROM pg_tables WHERE tablename = 'from_env'")).toEqual([{ tables: 1 }])
    delete process.env.MIG_TEST_SERVICE_DATABASE_URL
    expect(() => postgresDriver({ connectionString: process.env.MIG_TEST_SERVICE_DATABASE_URL })).toThrow(
      new InvalidOptionsError(
        'postgresDriver got connectionString: undefined. Is the environment variable that should hold the URL (such as DATABASE_URL) set?',
      ),
    )
  })
})
