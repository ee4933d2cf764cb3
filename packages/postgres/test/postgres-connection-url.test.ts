import { DatabaseError, fromList, InvalidOptionsError, Migrator } from '@mig/core'
import { driverFromUrl, postgresDriver } from '@mig/postgres'
import { describe, expect, it } from 'vitest'
import { useDatabase } from './support/postgres-test-database.js'

const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INT)' }])
const withParameters = (url: string, parameters: string) => `${url}${url.includes('?') ? '&' : '?'}${parameters}`

describe('PostgreSQL URLs', () => {
  const database = useDatabase()

  it('a password holding unescaped @ and / is refused with a message to percent-encode, and never shown', () => {
    const attempt = () => driverFromUrl('postgres://u:ab@cd:ef/gh@localhost/db', { baseDirectory: '.' })
    expect(attempt).toThrow(InvalidOptionsError)
    expect(attempt).toThrow(/percent-encode.*@ as %40, \/ as %2F/)
    const message = (() => {
      try {
        attempt()
      } catch (error) {
        return (error as Error).message
      }
    })()
    expect(message).toContain('postgres://u:***@localhost/db')
    expect(message).not.toMatch(/ab|cd:ef|gh/)
    expect(() => driverFromUrl('postgres://u:ab%40cd%3Aef%2Fgh@localhost/db', { baseDirectory: '.' })).not.toThrow()
  })

  it('a URL naming no database is refused unless PGDATABASE names one: pg would pick the database named after the user', () => {
    const saved = process.env.PGDATABASE
    delete process.env.PGDATABASE
    try {
      for (const url of ['postgres://app:secret@localhost:5432', 'postgres://app:secret@localhost:5432/']) {
        expect(() => driverFromUrl(url, { baseDirectory: '.' })).toThrow(
          /The URL postgres:\/\/app:\*\*\*@localhost:5432\/? names no database, and pg would use the one named after the user/,
        )
      }
      process.env.PGDATABASE = 'app'
      expect(() => driverFromUrl('postgres://app@localhost:5432', { baseDirectory: '.' })).not.toThrow()
    } finally {
      if (saved === undefined) delete process.env.PGDATABASE
      else process.env.PGDATABASE = saved
    }
  })

  it('a bad --table-lock-timeout is named as the CLI user wrote it', () => {
    expect(() => driverFromUrl('postgres://app@localhost/db', { baseDirectory: '.', lockTimeout: 'abc' })).toThrow(
      /The table lock timeout \(--table-lock-timeout, MIG_TABLE_LOCK_TIMEOUT or "tableLockTimeout" in the config\) must be .* not "abc"/,
    )
    expect(() => driverFromUrl('postgres://app@localhost/db', { baseDirectory: '.', lockTimeout: '3s' })).not.toThrow()
  })

  it('sslmode means what it means to libpq: prefer and allow fall back to no SSL, require says the server has none', async () => {
    for (const mode of ['prefer', 'allow', 'disable']) {
      const driver = postgresDriver({ connectionString: withParameters(database.url, `sslmode=${mode}`) })
      await expect(new Migrator({ driver, source }).status()).resolves.toHaveLength(1)
    }
    const required = postgresDriver({ connectionString: withParameters(database.url, 'sslmode=require') })
    const error = await new Migrator({ driver: required, source }).status().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DatabaseError)
    expect((error as Error).message).toMatch(/does not accept SSL connections, and sslmode=require needs one\. Use sslmode=prefer/)
    expect(() => postgresDriver({ connectionString: withParameters(database.url, 'sslmode=sometimes') })).toThrow(/is not an sslmode/)
  })
})
