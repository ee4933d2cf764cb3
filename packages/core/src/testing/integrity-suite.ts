import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidMigrationError } from '../errors.js'
import { fromList, type ListedMigration } from '../from-list.js'
import type { MigrationSource } from '../migration.js'
import { Migrator } from '../migrator.js'
import type { MigratorOptions } from '../migrator-options.js'
import { MigrationFailedError } from '../run-errors.js'
import type { ConformanceDatabase, ConformanceTarget } from './conformance-target.js'

const table = (version: number, name: string): ListedMigration => ({
  version,
  name: `create_${name}`,
  up: `CREATE TABLE ${name} (id INTEGER PRIMARY KEY);`,
  down: `DROP TABLE ${name};`,
})

/**
 * A migration cannot silently break its own atomicity, and what mig reports is what the
 * database holds: the runner end to end on a real database, for every driver.
 */
export function runIntegritySuite(target: ConformanceTarget): void {
  describe(`integrity: ${target.name}`, () => {
    let database: ConformanceDatabase

    beforeEach(async () => {
      database = await target.createDatabase()
    })

    afterEach(() => database.destroy())

    const migrator = (source: MigrationSource, options: Partial<MigratorOptions> = {}) =>
      new Migrator({ driver: database.driver(), source, ...options })
    const userTables = async () => (await database.tables()).filter((name) => !name.startsWith('mig_')).sort()
    const failureOf = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      )

    describe('statements that end mig’s transaction', () => {
      it('a COMMIT inside a transactional migration is refused before anything runs, with the file, line and fix', async () => {
        const source = fromList([
          table(1, 'a'),
          { file: '0002_commits.sql', content: '-- mig:up\nCREATE TABLE b (id INTEGER);\nCOMMIT;\nCREATE TABLE c (;\n' },
        ])
        const error = await failureOf(migrator(source).up())
        expect(error).toBeInstanceOf(InvalidMigrationError)
        expect(error).toMatchObject({ file: '0002_commits.sql', line: 3 })
        expect((error as Error).message).toMatch(/COMMIT in the up section .*Remove the statement.*-- mig:no-transaction/s)
        expect(await userTables()).toEqual([])
      })

      it('a file wrapped in its own BEGIN and COMMIT is refused, and so is a down section that ends the transaction', async () => {
        const wrapped = fromList([{ file: '0001_wrapped.sql', content: '-- mig:up\nBEGIN;\nCREATE TABLE a (id INTEGER);\nCOMMIT;\n' }])
        await expect(migrator(wrapped).up()).rejects.toThrow(/0001_wrapped\.sql:2: BEGIN in the up section/)
        await expect(migrator(wrapped).validate()).rejects.toThrow(InvalidMigrationError)
        await expect(migrator(wrapped).plan({ direction: 'up' })).rejects.toThrow(InvalidMigrationError)
        const down = fromList([
          { file: '0001_down.sql', content: '-- mig:up\nCREATE TABLE a (id INTEGER);\n-- mig:down\nDROP TABLE a;\nROLLBACK;\n' },
        ])
        await expect(migrator(down).up()).rejects.toThrow(/0001_down\.sql:5: ROLLBACK in the down section/)
        expect(await userTables()).toEqual([])
      })

      it('the same statements run in a migration marked no-transaction, which manages its own', async () => {
        const source = fromList([
          {
            file: '0001_own.sql',
            content: '-- mig:no-transaction\n-- mig:up\nBEGIN;\nCREATE TABLE a (id INTEGER);\nCOMMIT;\n-- mig:down\nDROP TABLE a;\n',
          },
        ])
        await migrator(source).up()
        expect(await userTables()).toEqual(['a'])
      })

      it('a code migration that runs COMMIT in mig’s transaction is refused and rolled back', async () => {
        const source = fromList([
          {
            version: 1,
            name: 'code',
            up: async (context) => {
              await context.run('CREATE TABLE a (id INTEGER)')
              await context.run('COMMIT')
            },
          },
        ])
        const error = await failureOf(migrator(source).up())
        expect(error).toBeInstanceOf(InvalidMigrationError)
        expect((error as Error).message).toMatch(/^1_code: COMMIT would end or nest the transaction/)
        expect(await userTables()).toEqual([])
      })
    })

    describe('reporting what the database holds', () => {
      it('down --step 2 in one transaction whose second revert fails says the first is still applied', async () => {
        const source = fromList([
          { version: 1, name: 'breaks_on_down', up: 'CREATE TABLE a (id INTEGER);', down: 'DROP TABLE missing_table;' },
          table(2, 'oops'),
        ])
        await migrator(source).up()
        const reverted: string[] = []
        const runner = migrator(source, { transactionMode: 'single' })
        runner.on('reverted', (event) => reverted.push(`${event.migration.file}:${event.committed}`))
        const error = await failureOf(runner.down({ step: 2 }))
        expect(error).toBeInstanceOf(MigrationFailedError)
        const failure = error as MigrationFailedError
        expect(reverted).toEqual(['2_create_oops:false'])
        expect(failure.completed).toEqual([])
        expect(failure.undone.map((migration) => migration.file)).toEqual(['2_create_oops'])
        expect(failure.message).toMatch(/2_create_oops, reverted before it in that transaction, was rolled back too and is still applied/)
        expect(await userTables()).toEqual(['a', 'oops'])
      })
    })
  })
}
