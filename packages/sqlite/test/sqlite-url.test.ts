import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseError, fromList, Migrator } from '@mig/core'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { describeDatabase, driverFromUrl, sqliteFilename } from '../src/sqlite-url.js'

describe('SQLite URLs', () => {
  it('reads paths relative to the base folder, absolute paths and :memory:', () => {
    expect(sqliteFilename('sqlite:./app.db', '/project')).toBe('/project/app.db')
    expect(sqliteFilename('sqlite:data/app.db', '/project')).toBe('/project/data/app.db')
    expect(sqliteFilename('sqlite:///var/app.db', '/project')).toBe('/var/app.db')
    expect(sqliteFilename('sqlite3::memory:', '/project')).toBe(':memory:')
    expect(sqliteFilename('sqlite:./app.db?busy_timeout=100', '/project')).toBe('/project/app.db')
    expect(() => sqliteFilename('sqlite:', '/project')).toThrow(/names no file/)
  })

  it('says of a missing database that mig up creates it, once its folder exists', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-url-'))
    try {
      const readOnly = { baseDirectory: folder, access: 'read-only' } as const
      expect(describeDatabase('sqlite:./app.db', readOnly)).toMatch(/does not exist.*; mig up creates it\.$/)
      expect(describeDatabase('sqlite:./later/app.db', readOnly)).toContain(
        `; mig up creates it once its folder ${join(folder, 'later')} exists.`,
      )
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('refuses a parameter it does not read rather than ignore it', () => {
    expect(() => driverFromUrl('sqlite:./app.db?mode=ro', { baseDirectory: '.' })).toThrow(
      /The URL sqlite:\.\/app\.db\?mode=ro has a parameter mig does not read: mode\. A SQLite URL takes only \?busy_timeout=<ms>/,
    )
    expect(() => driverFromUrl('sqlite:./app.db?busy_timout=100&busy_timeout=5', { baseDirectory: '.' })).toThrow(
      /does not read: busy_timout\./,
    )
  })

  it('takes busy_timeout as the wait for a database another connection holds, and refuses one that is not a number', async () => {
    expect(() => driverFromUrl('sqlite:./app.db?busy_timeout=soon', { baseDirectory: '.' })).toThrow(
      /busy_timeout in the URL sqlite:\.\/app\.db\?busy_timeout=soon must be a whole number of milliseconds, not "soon"/,
    )
    const folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-url-'))
    const holder = new Database(join(folder, 'app.db'))
    try {
      holder.exec('CREATE TABLE t (id INTEGER); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)')
      const driver = driverFromUrl('sqlite:./app.db?busy_timeout=10', { baseDirectory: folder })
      const error = await new Migrator({ driver, source: fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }]) })
        .status()
        .catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(DatabaseError)
      expect((error as Error).message).toContain('or ?busy_timeout=<ms> at the end of a CLI URL')
    } finally {
      holder.close()
      await rm(folder, { recursive: true, force: true })
    }
  })
})
