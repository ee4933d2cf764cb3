import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidMigrationError, InvalidOptionsError, RepairRefusedError, UnsupportedFeatureError } from '../errors.js'
import { fromList, type ListedMigration } from '../from-list.js'
import { ReplacedMigrationError } from '../history-errors.js'
import type { MigrationSource } from '../migration.js'
import { Migrator } from '../migrator.js'
import type { MigratorOptions } from '../migrator-options.js'
import { IrreversibleMigrationError, MigrationFailedError } from '../run-errors.js'
import type { ConformanceDatabase, ConformanceTarget } from './conformance-target.js'
import { createTable } from './sample-migrations.js'

const table = (version: number, name: string): ListedMigration => ({
  version,
  name: `create_${name}`,
  up: `CREATE TABLE ${name} (id INTEGER PRIMARY KEY);`,
  down: `DROP TABLE ${name};`,
})

const file = (name: string, up: string, down?: string): ListedMigration => ({
  file: name,
  content: `-- mig:up\n${up}\n${down === undefined ? '' : `-- mig:down\n${down}\n`}`,
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
    const count = async (name: string) => {
      const session = await database.driver().connect()
      try {
        return Number((await session.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${name}`))[0]?.n)
      } finally {
        await session.close()
      }
    }
    const userTables = async () => (await database.tables()).filter((name) => !name.startsWith('mig_')).sort()
    /** A test of `transactionMode: 'single'`; a driver whose DDL commits at once must refuse that mode and write nothing. */
    const itInOneTransaction = (name: string, test: () => Promise<void>) =>
      it(name, async () => {
        if (database.driver().capabilities.transactionalDdl) return test()
        await expect(async () => migrator(fromList([table(1, 'a')]), { transactionMode: 'single' }).up()).rejects.toThrow(
          UnsupportedFeatureError,
        )
        expect(await database.tables()).toEqual([])
      })
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

      it('a migration outside a transaction that begins one and never ends it fails, rather than being reported applied', async () => {
        const leftOpen = fromList([
          table(1, 'a'),
          {
            file: '0002_left_open.sql',
            content: '-- mig:no-transaction\n-- mig:up\nCREATE TABLE b (id INTEGER);\nBEGIN;\nINSERT INTO b (id) VALUES (1);\n',
          },
        ])
        const error = await failureOf(migrator(leftOpen).up())
        expect(error).toBeInstanceOf(MigrationFailedError)
        expect(error).toMatchObject({ migration: { version: 2 }, rolledBack: false, completed: [{ version: 1 }] })
        expect((error as Error).message).toContain('0002_left_open.sql failed: it began a transaction and did not end it')
        expect(await userTables()).toEqual(['a', 'b'])
        expect(await count('b')).toBe(0)
        expect((await migrator(leftOpen).status()).map((entry) => entry.state)).toEqual(['applied', 'failed'])
        const code = fromList([
          {
            version: 3,
            name: 'code_left_open',
            transaction: false,
            up: async (context) => {
              // Rows, not a table: DDL would end the transaction on a database where it commits at once.
              await context.run('BEGIN')
              await context.run('INSERT INTO b (id) VALUES (2)')
            },
          },
        ])
        await expect(migrator(code, { table: 'mig_code' }).up()).rejects.toThrow(
          /3_code_left_open failed: it began a transaction and did not end it/,
        )
        expect(await count('b')).toBe(0)
        expect((await migrator(code, { table: 'mig_code' }).status()).map((entry) => entry.state)).toEqual(['failed'])
      })

      for (const call of ['run', 'query'] as const) {
        it(`a code migration that sends COMMIT through ${call}() in mig’s transaction is refused and rolled back, with the code migration’s opt-out`, async () => {
          const source = fromList([
            {
              version: 1,
              name: 'code',
              up: async (context) => {
                await context.run('CREATE TABLE a (id INTEGER)')
                await context[call]('COMMIT')
                await context.run('CREATE TABLE b (id INTEGER)')
              },
            },
          ])
          const error = await failureOf(migrator(source).up())
          expect(error).toBeInstanceOf(InvalidMigrationError)
          expect((error as Error).message).toMatch(/^1_code: COMMIT would end or nest the transaction/)
          expect((error as Error).message).toContain('or export `transaction = false` from the migration to manage transactions yourself.')
          expect(await userTables()).toEqual(database.driver().capabilities.transactionalDdl ? [] : ['a'])
          expect((await migrator(source).status()).map((entry) => entry.state)).toEqual(['pending'])
        })
      }
    })

    describe('reporting what the database holds', () => {
      itInOneTransaction('down --step 2 in one transaction whose second revert fails says the first is still applied', async () => {
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

    describe('history that matches the files', () => {
      const branchA = file('0004_branch_a.sql', 'CREATE TABLE branch_a (id INTEGER);', 'DROP TABLE branch_a;')
      const branchB = file('0004_branch_b.sql', 'CREATE TABLE branch_b (id INTEGER);', 'DROP TABLE branch_b;')

      it('a file whose name differs from the applied one is a different migration: refused with the ways out, never accepted as an edit', async () => {
        await migrator(fromList([table(1, 'a'), branchA])).up()
        const replaced = fromList([table(1, 'a'), branchB])
        const error = await failureOf(migrator(replaced).up())
        expect(error).toBeInstanceOf(ReplacedMigrationError)
        expect((error as Error).message).toMatch(/0004_branch_b\.sql holds version 4, applied as 0004_branch_a\.sql/)
        expect((error as Error).message).toMatch(/mig down --missing.*mig renumber/s)
        await expect(migrator(replaced).repair({ version: 4, resolution: 'accept-checksum' })).rejects.toThrow(RepairRefusedError)
        const [, status] = await migrator(replaced).status()
        expect(status).toMatchObject({ version: 4, file: '0004_branch_a.sql', problem: 'replaced', replacedBy: '0004_branch_b.sql' })
        expect(await userTables()).toEqual(['a', 'branch_a'])
      })

      it('the same content under a new name is the applied migration, renamed', async () => {
        await migrator(fromList([table(1, 'a'), branchA])).up()
        const renamed = fromList([table(1, 'a'), { ...branchA, file: '0004_branch_a_renamed.sql' } as ListedMigration])
        await expect(migrator(renamed).validate()).resolves.toEqual({ applied: 2, pending: 0, running: 0 })
      })

      it('history records the real file name and the down SQL, and reports a missing file by its name', async () => {
        await migrator(fromList([table(1, 'a'), branchA])).up()
        const statuses = await migrator(fromList([table(1, 'a')])).status()
        expect(statuses[1]).toMatchObject({ file: '0004_branch_a.sql', fileFound: false, problem: 'missing' })
      })

      it('redo reverts an edited newest migration with the down SQL recorded when it was applied, then applies the file as it is now', async () => {
        await migrator(
          fromList([table(1, 'a'), file('0002_draft.sql', 'CREATE TABLE draft_v1 (id INTEGER);', 'DROP TABLE draft_v1;')]),
        ).up()
        const edited = fromList([table(1, 'a'), file('0002_draft.sql', 'CREATE TABLE draft_v2 (id INTEGER);', 'DROP TABLE draft_v2;')])
        await expect(migrator(edited).up()).rejects.toThrow(/changed since it was applied/)
        const result = await migrator(edited).redo()
        expect(result.reverted.migrations.map((migration) => migration.file)).toEqual(['0002_draft.sql'])
        expect(await userTables()).toEqual(['a', 'draft_v2'])
        await expect(migrator(edited).validate()).resolves.toEqual({ applied: 2, pending: 0, running: 0 })
        await migrator(edited).down()
        expect(await userTables()).toEqual(['a'])
      })

      it('redo refuses an edited migration that now ends the transaction before reverting it, so it stays applied', async () => {
        await migrator(
          fromList([table(1, 'a'), file('0002_draft.sql', 'CREATE TABLE draft_v1 (id INTEGER);', 'DROP TABLE draft_v1;')]),
        ).up()
        const edited = fromList([
          table(1, 'a'),
          file('0002_draft.sql', 'CREATE TABLE draft_v2 (id INTEGER);\nCOMMIT;', 'DROP TABLE draft_v2;'),
        ])
        await expect(migrator(edited).redo()).rejects.toThrow(InvalidMigrationError)
        expect(await userTables()).toEqual(['a', 'draft_v1'])
      })

      it('redo refuses an edited migration that was applied without a down section, and changes nothing', async () => {
        await migrator(fromList([file('0001_once.sql', 'CREATE TABLE once (id INTEGER);')])).up()
        const edited = fromList([file('0001_once.sql', 'CREATE TABLE twice (id INTEGER);', 'DROP TABLE twice;')])
        await expect(migrator(edited).redo()).rejects.toThrow(IrreversibleMigrationError)
        expect(await userTables()).toEqual(['once'])
      })

      it('versions longer than 15 digits are applied, compared and reverted exactly', async () => {
        const source = fromList([
          file('20210410175418000001_first.sql', 'CREATE TABLE first (id INTEGER);', 'DROP TABLE first;'),
          file('20210410175418000002_second.sql', 'CREATE TABLE second (id INTEGER);', 'DROP TABLE second;'),
          file('9007199254740993_older.sql', 'CREATE TABLE older (id INTEGER);', 'DROP TABLE older;'),
        ])
        const applied = await migrator(source).up()
        expect(applied.migrations.map((migration) => migration.version)).toEqual([
          9007199254740993n,
          20210410175418000001n,
          20210410175418000002n,
        ])
        expect((await migrator(source).status()).map((status) => [status.version, status.state])).toEqual([
          [9007199254740993n, 'applied'],
          [20210410175418000001n, 'applied'],
          [20210410175418000002n, 'applied'],
        ])
        await migrator(source).down({ to: 20210410175418000001n })
        expect(await userTables()).toEqual(['first', 'older'])
      })
    })

    describe('after switching branches', () => {
      const feature = [
        file('0002_feature_one.sql', 'CREATE TABLE feature_one (id INTEGER);', 'DROP TABLE feature_one;'),
        file('0003_feature_two.sql', 'CREATE TABLE feature_two (id INTEGER);', 'DROP TABLE feature_two;'),
      ]

      it('down missing reverts the applied migrations whose files are gone, newest first, with the down SQL recorded, and up works again', async () => {
        await migrator(fromList([table(1, 'a'), ...feature])).up()
        const main = fromList([table(1, 'a')])
        await expect(migrator(main).up()).rejects.toThrow(/mig down --missing/)
        const planned = await migrator(main).plan({ direction: 'down', missing: true })
        expect(planned.map((migration) => [migration.file, migration.sql])).toEqual([
          ['0003_feature_two.sql', 'DROP TABLE feature_two;\n'],
          ['0002_feature_one.sql', 'DROP TABLE feature_one;\n'],
        ])
        expect(await userTables()).toEqual(['a', 'feature_one', 'feature_two'])
        const reverted = await migrator(main).down({ missing: true })
        expect(reverted.migrations.map((migration) => migration.file)).toEqual(['0003_feature_two.sql', '0002_feature_one.sql'])
        expect(await userTables()).toEqual(['a'])
        await expect(migrator(main).validate()).resolves.toEqual({ applied: 1, pending: 0, running: 0 })
      })

      it('down missing reverts an applied migration whose version another file holds now, which up then applies', async () => {
        const branchA = file('0004_branch_a.sql', 'CREATE TABLE branch_a (id INTEGER);', 'DROP TABLE branch_a;')
        await migrator(fromList([table(1, 'a'), branchA])).up()
        const other = fromList([table(1, 'a'), file('0004_branch_b.sql', 'CREATE TABLE branch_b (id INTEGER);', 'DROP TABLE branch_b;')])
        await migrator(other).down({ missing: true })
        expect(await userTables()).toEqual(['a'])
        await migrator(other).up()
        expect(await userTables()).toEqual(['a', 'branch_b'])
      })

      it('down missing refuses a migration renumbered after it was applied, which reverting would empty, and reverts nothing', async () => {
        const tags = 'CREATE TABLE tags (id INTEGER);'
        await migrator(fromList([table(1, 'a'), file('0002_add_tags.sql', tags, 'DROP TABLE tags;')])).up()
        const renumbered = fromList([table(1, 'a'), file('0003_add_tags.sql', tags, 'DROP TABLE tags;')])
        const error = await failureOf(migrator(renumbered).down({ missing: true }))
        expect(error).toBeInstanceOf(InvalidOptionsError)
        expect((error as Error).message).toMatch(
          /Nothing was reverted: reverting would drop what this applied migration made, with its data\. 0002_add_tags\.sql was renumbered since \(to 0003_add_tags\.sql\).*rename 0003_add_tags\.sql to 0002_add_tags\.sql/s,
        )
        expect(await userTables()).toEqual(['a', 'tags'])
      })

      it("down missing 'including-renumbered' reverts a migration renumbered after it was applied, and up applies it at its new version", async () => {
        const tags = 'CREATE TABLE tags (id INTEGER);'
        await migrator(fromList([table(1, 'a'), file('0002_add_tags.sql', tags, 'DROP TABLE tags;')])).up()
        const renumbered = migrator(fromList([table(1, 'a'), file('0003_add_tags.sql', tags, 'DROP TABLE tags;')]))
        const reverted = await renumbered.down({ missing: 'including-renumbered' })
        expect(reverted.migrations.map((migration) => migration.file)).toEqual(['0002_add_tags.sql'])
        expect(await userTables()).toEqual(['a'])
        await renumbered.up()
        expect((await renumbered.status()).map((status) => [status.file, status.state])).toEqual([
          ['1_create_a', 'applied'],
          ['0003_add_tags.sql', 'applied'],
        ])
        expect(await userTables()).toEqual(['a', 'tags'])
      })

      it('down missing refuses when even the oldest applied migration has no file: a wrong folder, not a branch', async () => {
        await migrator(fromList([table(1, 'a'), ...feature])).up()
        const error = await failureOf(migrator(fromList([])).down({ missing: true }))
        expect(error).toBeInstanceOf(InvalidOptionsError)
        expect((error as Error).message).toMatch(/oldest applied migration, \S*create_a\S*, has no file.*wrong migrations folder/s)
        expect(await userTables()).toEqual(['a', 'feature_one', 'feature_two'])
      })

      it('down missing refuses, before reverting anything, a missing migration applied without a down section', async () => {
        await migrator(
          fromList([table(1, 'a'), feature[0] as ListedMigration, file('0003_once.sql', 'CREATE TABLE once (id INTEGER);')]),
        ).up()
        const error = await failureOf(migrator(fromList([table(1, 'a')])).down({ missing: true }))
        expect(error).toBeInstanceOf(IrreversibleMigrationError)
        expect((error as Error).message).toMatch(/0003_once\.sql is applied but its file is gone.*mig repair 3 --forget/s)
        expect(await userTables()).toEqual(['a', 'feature_one', 'once'])
      })
    })

    describe('reading without writing', () => {
      it('plans and reports status without creating anything, not even the history table', async () => {
        const subject = migrator(fromList([createTable(1, 'a'), createTable(2, 'b')]))
        const plan = await subject.plan({ direction: 'up' })
        expect(plan.map((entry) => [entry.version, entry.transaction])).toEqual([
          [1, true],
          [2, true],
        ])
        expect(plan[0]?.sql).toContain('CREATE TABLE a')
        expect((await subject.status()).map((entry) => entry.state)).toEqual(['pending', 'pending'])
        expect(await subject.hasPending()).toBe(true)
        await subject.validate()
        expect(await database.tables()).toEqual([])
      })

      it('reports applied and pending migrations with their history', async () => {
        const source = fromList([createTable(1, 'a'), createTable(2, 'b')])
        await migrator(source, { appliedBy: 'conformance' }).up({ to: 1 })
        const [applied, pending] = await migrator(source).status()
        expect(applied).toMatchObject({ version: 1, state: 'applied', appliedBy: 'conformance', checksumMatches: true })
        expect(applied?.appliedAt).toBeInstanceOf(Date)
        expect(pending).toMatchObject({ version: 2, state: 'pending', checksumMatches: undefined })
        await migrator(source).up()
        expect(await migrator(source).hasPending()).toBe(false)
      })
    })

    describe('in a single transaction', () => {
      itInOneTransaction('applies every pending migration together, or none of them', async () => {
        const good = [createTable(1, 'a'), createTable(2, 'b')]
        const broken = { version: 3, name: 'broken', up: 'INSERT INTO missing_table (id) VALUES (1)' }
        const failure = await migrator(fromList([...good, broken]), { transactionMode: 'single' })
          .up()
          .catch((caught: unknown) => caught)
        expect(failure).toBeInstanceOf(MigrationFailedError)
        expect((failure as MigrationFailedError).completed).toEqual([])
        expect(await userTables()).toEqual([])
        const result = await migrator(fromList(good), { transactionMode: 'single' }).up()
        expect(result.migrations.map((migration) => migration.version)).toEqual([1, 2])
        expect(await count('mig_migrations')).toBe(2)
        await migrator(fromList(good), { transactionMode: 'single' }).down({ all: true })
        expect(await userTables()).toEqual([])
      })

      itInOneTransaction('refuses a plan with a no-transaction migration before running anything', async () => {
        const source = fromList([
          createTable(1, 'a'),
          { version: 2, name: 'outside', transaction: false, up: 'CREATE TABLE b (id INTEGER)' },
        ])
        await expect(migrator(source, { transactionMode: 'single' }).up()).rejects.toThrow(
          /2_outside, which must run outside a transaction/,
        )
        expect(await userTables()).toEqual([])
      })
    })
  })
}
