import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseError, fromList, InvalidOptionsError, LockTimeoutError, Migrator } from '@mig/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDatabase, dropDatabase, probeDatabase } from '../src/sqlite-database-lifecycle.js'
import { sqliteDriver } from '../src/sqlite-driver.js'
import { startLockHolder } from './lock-holder.js'

let folder: string
const options = () => ({ baseDirectory: folder })

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-lifecycle-'))
})

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

describe('a SQLite database file, created, probed and dropped', () => {
  it('is missing, then created once, then ready; creating it again changes nothing', async () => {
    expect(await probeDatabase('sqlite:./app.db', options())).toEqual({
      state: 'missing-database',
      reason: `The SQLite database ${join(folder, 'app.db')} does not exist yet.`,
    })
    expect(await createDatabase('sqlite:./app.db', options())).toBe('created')
    expect(existsSync(join(folder, 'app.db'))).toBe(true)
    expect(await probeDatabase('sqlite:./app.db', options())).toEqual({ state: 'ready' })
    expect(await createDatabase('sqlite:./app.db', options())).toBe('exists')
  })

  it('in a folder that does not exist is unreachable, and cannot be created there', async () => {
    expect(await probeDatabase('sqlite:./later/app.db', options())).toMatchObject({ state: 'unreachable' })
    await expect(createDatabase('sqlite:./later/app.db', options())).rejects.toThrow(/does not exist.*Create the folder first/)
  })

  it('an in-memory database is always ready, and there is no file to create or drop', async () => {
    expect(await probeDatabase('sqlite::memory:', options())).toEqual({ state: 'ready' })
    await expect(createDatabase('sqlite::memory:', options())).rejects.toThrow(InvalidOptionsError)
    await expect(dropDatabase('sqlite::memory:', options())).rejects.toThrow(/in-memory database: there is no file to drop/)
  })

  it('a file that is not a database fails the probe at once, and create and drop leave it alone', async () => {
    await writeFile(join(folder, 'notes.db'), 'plain text, not a database\n')
    await expect(probeDatabase('sqlite:./notes.db', options())).rejects.toThrow(DatabaseError)
    await expect(createDatabase('sqlite:./notes.db', options())).rejects.toThrow(
      `${join(folder, 'notes.db')} exists but is not a SQLite database, so mig db create leaves it alone. Check the URL.`,
    )
    await expect(createDatabase(`sqlite:${folder}`, options())).rejects.toThrow(/exists but is not a SQLite database/)
    await expect(dropDatabase('sqlite:./notes.db', options())).rejects.toThrow(/is not a SQLite database, so mig db drop leaves it alone/)
    expect(await readFile(join(folder, 'notes.db'), 'utf8')).toBe('plain text, not a database\n')
  })

  it('drop deletes the file with its WAL files, keeps its lock files, and then finds it missing', async () => {
    const session = await sqliteDriver({ filename: join(folder, 'app.db'), missingFile: 'create' }).connect()
    await session.runScript('PRAGMA journal_mode = WAL; CREATE TABLE kept (id INTEGER);')
    await writeFile(join(folder, 'app.db.mig_migrations.lock'), '')
    await writeFile(join(folder, 'other.db'), '')
    expect(await dropDatabase('sqlite:./app.db', options())).toBe('dropped')
    await session.close()
    expect((await readdir(folder)).sort()).toEqual(['app.db.mig_migrations.lock', 'other.db'])
    expect(await dropDatabase('sqlite:./app.db', options())).toBe('missing')
  })

  it('drop refuses while another process holds a migration lock of the database, naming it, and deletes nothing', async () => {
    const filename = join(folder, 'app.db')
    const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }])
    await new Migrator({ driver: sqliteDriver({ filename }), source }).up()
    const audit = fromList([{ version: 1, name: 'b', up: 'CREATE TABLE b (id INTEGER)' }])
    await new Migrator({ driver: sqliteDriver({ filename }), source: audit, table: 'audit_history' }).up()
    const holder = await startLockHolder(filename)
    try {
      const refused = await dropDatabase('sqlite:./app.db', options()).catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(DatabaseError)
      expect(refused).toMatchObject({ sqlState: 'SQLITE_BUSY' })
      expect((refused as Error).message).toMatch(
        new RegExp(
          `^mig db drop leaves ${filename} alone: a migration run holds its lock ${filename}\\.mig_migrations\\.lock \\(held by pid ${holder.pid} on ${hostname()} since .+\\)\\. Let that run finish, or stop it, and run mig db drop again\\.$`,
        ),
      )
    } finally {
      holder.kill('SIGKILL')
    }
    await once(holder, 'exit')
    expect((await readdir(folder)).sort()).toEqual(['app.db', 'app.db.audit_history.lock', 'app.db.mig_migrations.lock'])
    expect((await new Migrator({ driver: sqliteDriver({ filename }), source }).status()).map((entry) => entry.state)).toEqual(['applied'])
    // The lock of the other history table was taken and given back: it is free for the next run.
    expect(await dropDatabase('sqlite:./app.db', options())).toBe('dropped')
    expect((await readdir(folder)).sort()).toEqual(['app.db.audit_history.lock', 'app.db.mig_migrations.lock'])
  })

  it('after drop, a run and another process reaching the database still share one lock through the kept lock file', async () => {
    const filename = join(folder, 'app.db')
    const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }])
    await new Migrator({ driver: sqliteDriver({ filename }), source }).up()
    expect(await dropDatabase('sqlite:./app.db', options())).toBe('dropped')
    const holder = await startLockHolder(filename)
    try {
      const waiting = await new Migrator({ driver: sqliteDriver({ filename }), source, lockWaitMs: 300 })
        .up()
        .catch((error: unknown) => error)
      expect(waiting).toBeInstanceOf(LockTimeoutError)
      expect((waiting as Error).message).toContain(`pid ${holder.pid} on ${hostname()}`)
    } finally {
      holder.kill('SIGKILL')
    }
    expect(await readdir(folder)).toEqual(['app.db.mig_migrations.lock'])
  })

  it('drop through a symlink deletes the database it points to, keeping its lock file there, and create makes it there again', async () => {
    await mkdir(join(folder, 'data'))
    await symlink(join(folder, 'data', 'real.db'), join(folder, 'app.db'))
    expect(await createDatabase('sqlite:./app.db', options())).toBe('created')
    await writeFile(join(folder, 'data', 'real.db.mig_migrations.lock'), '')
    expect(await dropDatabase('sqlite:./app.db', options())).toBe('dropped')
    expect(await readdir(join(folder, 'data'))).toEqual(['real.db.mig_migrations.lock'])
    expect(await dropDatabase('sqlite:./app.db', options())).toBe('missing')
    expect(await createDatabase('sqlite:./app.db', options())).toBe('created')
    expect((await readdir(join(folder, 'data'))).sort()).toEqual(['real.db', 'real.db.mig_migrations.lock'])
  })

  it('create finds an empty file there, and drop deletes it: what a database is before its first table', async () => {
    await writeFile(join(folder, 'empty.db'), '')
    expect(await createDatabase('sqlite:./empty.db', options())).toBe('exists')
    expect(await dropDatabase('sqlite:./empty.db', options())).toBe('dropped')
    expect(existsSync(join(folder, 'empty.db'))).toBe(false)
  })
})
