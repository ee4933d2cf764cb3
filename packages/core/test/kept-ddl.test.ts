import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AbortedError,
  type DialectText,
  type Driver,
  defineDriver,
  fromList,
  type ListedMigration,
  MigrationFailedError,
  Migrator,
} from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

// SQLite rolls its DDL back, so these tests check what mig reports and records for a driver that
// declares otherwise (MariaDB, MySQL), not that the database kept anything.

let folder: string
let driver: Driver

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-kept-ddl-'))
  driver = keptDdlDriver()
})

/** The SQLite driver's parts, declared as a database whose DDL commits at once. */
function keptDdlDriver(text: Partial<DialectText> = {}): Driver {
  const sqlite = sqliteDriver({ filename: join(folder, 'app.db') })
  return defineDriver({
    dialect: sqlite.dialect,
    transactionalDdl: false,
    text: { ...sqlite.text, ...text },
    connect: (options) => sqlite.connect(options),
    lock: sqlite.lock,
  })
}

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

const first: ListedMigration = { version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)', down: 'DROP TABLE a' }
const migratorOf = (...migrations: ListedMigration[]) => new Migrator({ driver, source: fromList([first, ...migrations]) })
const states = async (migrator: Migrator) => (await migrator.status()).map((entry) => entry.state)
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('it should have failed'),
    (error: unknown) => error,
  )

describe('a migration that fails in its transaction on a driver whose DDL commits at once', () => {
  it('is reported with its DDL maybe kept, the statements that ran named, and still pending', async () => {
    const migrator = migratorOf({
      version: 2,
      name: 'broken',
      up: 'CREATE TABLE b (id INTEGER);\nINSERT INTO b (id) VALUES (1);\nINSERT INTO missing_table (id) VALUES (1);',
    })
    const error = await failureOf(migrator.up())
    expect(error).toBeInstanceOf(MigrationFailedError)
    expect(error).toMatchObject({
      migration: { version: 2 },
      outcome: 'ddl-kept',
      rolledBack: false,
      statementsRun: ['CREATE TABLE b (id INTEGER);', 'INSERT INTO b (id) VALUES (1);'],
      statement: 'INSERT INTO missing_table (id) VALUES (1);',
      completed: [{ version: 1 }],
    })
    const { message } = error as Error
    expect(message).toContain(
      'Its transaction was rolled back, but this database commits DDL at once: the changes these statements of it made may have been kept',
    )
    expect(message).toContain('\n  CREATE TABLE b (id INTEGER);\n  INSERT INTO b (id) VALUES (1);\n')
    expect(message).toContain('Its history row was not written, so it is still pending.')
    expect(message).toContain(
      'Check the database and undo or complete by hand what those statements changed, then apply 2_broken again; `mig repair` does not apply, as nothing was recorded.',
    )
    expect(message).not.toMatch(/outside a transaction|recorded as failed|mig repair 2/)
    expect((error as MigrationFailedError).toJSON()).toMatchObject({
      outcome: 'ddl-kept',
      rolledBack: false,
      statementsRun: expect.any(Array),
    })
    expect(await states(migrator)).toEqual(['applied', 'pending'])
  })

  it('is reported rolled back when its first statement failed, as nothing of it ran', async () => {
    const migrator = migratorOf({
      version: 2,
      name: 'broken',
      up: 'INSERT INTO missing_table (id) VALUES (1);\nCREATE TABLE b (id INTEGER);',
    })
    const error = await failureOf(migrator.up())
    expect(error).toMatchObject({ outcome: 'rolled-back', rolledBack: true, statementsRun: undefined })
    expect((error as Error).message).toContain('Its changes were rolled back.')
    expect(await states(migrator)).toEqual(['applied', 'pending'])
  })

  it('names the SQL a code migration sent before the call that failed', async () => {
    const migrator = migratorOf({
      version: 2,
      name: 'code',
      up: async ({ run }) => {
        await run('CREATE TABLE c (id INTEGER)')
        await run('INSERT INTO missing_table (id) VALUES (1)')
      },
    })
    const error = await failureOf(migrator.up())
    expect(error).toMatchObject({ outcome: 'ddl-kept', rolledBack: false, statementsRun: ['CREATE TABLE c (id INTEGER)'] })
    expect((error as Error).message).toContain('\n  CREATE TABLE c (id INTEGER)\nIts history row was not written, so it is still pending.')
    expect(await states(migrator)).toEqual(['applied', 'pending'])
  })

  it('a rollback that fails says the migration is still applied', async () => {
    const migrator = migratorOf({
      version: 2,
      name: 'b',
      up: 'CREATE TABLE b (id INTEGER)',
      down: 'DROP TABLE b;\nDROP TABLE missing_table;',
    })
    await migrator.up()
    const error = await failureOf(migrator.down())
    expect(error).toMatchObject({ direction: 'down', outcome: 'ddl-kept', statementsRun: ['DROP TABLE b;'] })
    expect((error as Error).message).toContain('Its history row was not deleted, so it is still applied.')
    expect((error as Error).message).toContain('then roll back 2_b again; `mig repair` does not apply')
    expect(await states(migrator)).toEqual(['applied', 'applied'])
  })
})

describe('a migration cancelled in its transaction on a driver whose DDL commits at once', () => {
  it('is reported with its DDL maybe kept, not rolled back, and stays pending', async () => {
    const cancel = new AbortController()
    const migrator = migratorOf({
      version: 2,
      name: 'cancelled',
      up: async ({ run }) => {
        await run('CREATE TABLE c (id INTEGER)')
        cancel.abort()
        await run('INSERT INTO c (id) VALUES (1)')
      },
    })
    const error = await failureOf(migrator.up({ cancelSignal: cancel.signal }))
    expect(error).toBeInstanceOf(AbortedError)
    expect((error as AbortedError).interrupted).toMatchObject({ migration: { version: 2 }, rolledBack: false, outcome: 'ddl-kept' })
    const { message } = error as Error
    expect(message).toMatch(
      /^The run was cancelled\. 2_cancelled was stopped \(.*\)\. Its transaction was rolled back, but this database commits DDL at once: .* \(mig cannot tell which of them ran\)\. Its history row was not written, so it is still pending\./,
    )
    expect(message).toContain('Completed before that: 1_a.')
    expect(message).toContain('then apply 2_cancelled again; `mig repair` does not apply, as nothing was recorded.')
    expect(message).not.toMatch(/that migration was rolled back|recorded as failed/)
    expect((error as AbortedError).toJSON().interrupted).toEqual({
      version: 2,
      name: 'cancelled',
      file: '2_cancelled',
      rolledBack: false,
      outcome: 'ddl-kept',
    })
    expect(await states(migrator)).toEqual(['applied', 'pending'])
  })
})

describe('a migration that gives up waiting for a table lock on a driver whose DDL commits at once', () => {
  it('is not run again, since its rollback may have kept part of it', async () => {
    const migrator = new Migrator({
      driver: keptDdlDriver({ isLockTimeout: () => true }),
      source: fromList([
        first,
        { version: 2, name: 'waits', up: 'CREATE TABLE b (id INTEGER);\nINSERT INTO missing_table (id) VALUES (1);' },
      ]),
      lockTimeoutRetries: 3,
    })
    const retries: number[] = []
    migrator.on('retrying', (event) => retries.push(event.attempt))
    expect(await failureOf(migrator.up())).toMatchObject({ migration: { version: 2 }, outcome: 'ddl-kept' })
    expect(retries).toEqual([])
    expect(await states(migrator)).toEqual(['applied', 'pending'])
  })
})
