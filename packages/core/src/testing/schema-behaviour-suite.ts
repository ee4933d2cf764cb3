import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DriverCapabilities } from '../driver.js'
import { InvalidOptionsError, UnsupportedFeatureError } from '../errors.js'
import type { MigrationDefinition } from '../from-list.js'
import { fromList } from '../from-list.js'
import { SchemaMismatchError } from '../history-errors.js'
import type { MigrationSource } from '../migration.js'
import { Migrator } from '../migrator.js'
import { REVERSIBILITY_WORDING } from '../reversibility-test.js'
import { describeDifference } from '../schema-difference-wording.js'
import { DRIFT_WORDING } from '../schema-drift.js'
import { type ConformanceDatabase, type ConformanceTarget, queryDatabase } from './conformance-target.js'
import { createTable } from './sample-migrations.js'

/**
 * The behaviours that need the driver's schema part, end to end: verified baselines, schema
 * snapshots, and the schema tools (drift, dump, reversibility). A driver without the part must refuse them and change nothing. Part of
 * `runDriverBehaviourSuite`.
 */
export function runSchemaBehaviourSuite(target: ConformanceTarget): void {
  describe(`driver behaviour, schema: ${target.name}`, () => {
    let database: ConformanceDatabase

    beforeEach(async () => {
      database = await target.createDatabase()
    })

    afterEach(() => database.destroy())

    const migrator = (source: MigrationSource) => new Migrator({ driver: database.driver(), source })
    const userTables = async () => (await database.tables()).filter((table) => !table.startsWith('mig_')).sort()
    const rows = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => queryDatabase<Row>(database, sql, params)
    const count = async (table: string) => Number((await rows<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n)

    /**
     * A behaviour that needs an optional part of the driver. A driver without it must refuse the
     * operation with {@link UnsupportedFeatureError} and change nothing, which is checked instead.
     */
    const itNeeds = (capability: keyof DriverCapabilities, name: string, test: () => Promise<void>) =>
      it(name, async () => {
        if (database.driver().capabilities[capability]) return test()
        await expect(migrator(fromList([createTable(1, 'a')])).baseline({ to: 1 })).rejects.toThrow(UnsupportedFeatureError)
        expect(await database.tables()).toEqual([])
      })

    describe('baseline', () => {
      const adopted = [createTable(1, 'a'), createTable(2, 'b')]

      itNeeds(
        'scratchDatabases',
        'records migrations as baselined without running them once the schema matches, then applies the rest',
        async () => {
          await rows('CREATE TABLE a (id INTEGER PRIMARY KEY, label TEXT NOT NULL)')
          const source = fromList(adopted)
          const baselined = await migrator(source).baseline({ to: 1 })
          expect(baselined.map((migration) => migration.version)).toEqual([1])
          expect(await count('a')).toBe(0)
          expect((await migrator(source).status()).map((entry) => entry.state)).toEqual(['baselined', 'pending'])
          await migrator(source).up()
          expect(await userTables()).toEqual(['a', 'b'])
          await expect(migrator(source).baseline({ to: 1 })).rejects.toThrow(InvalidOptionsError)
        },
      )

      itNeeds('scratchDatabases', 'refuses a database whose schema differs, shows the difference and writes nothing', async () => {
        await rows('CREATE TABLE a (id INTEGER PRIMARY KEY, title TEXT NOT NULL)')
        const error = await migrator(fromList(adopted))
          .baseline({ to: 1 })
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(SchemaMismatchError)
        expect((error as Error).message).toContain('a: column label missing, column title extra')
        expect(await database.tables()).toEqual(['a'])
      })

      itNeeds('scratchDatabases', 'finds the version whose schema matches when no version is given', async () => {
        await rows('CREATE TABLE a (id INTEGER PRIMARY KEY, label TEXT NOT NULL)')
        await rows('CREATE TABLE b (id INTEGER PRIMARY KEY, label TEXT NOT NULL)')
        const baselined = await migrator(fromList([...adopted, createTable(3, 'c')])).baseline()
        expect(baselined.map((migration) => migration.version)).toEqual([1, 2])
      })

      itNeeds('scratchDatabases', 'asks for the version when migrations that change no schema make several match', async () => {
        await rows('CREATE TABLE a (id INTEGER PRIMARY KEY, label TEXT NOT NULL)')
        const seed = { version: 2, name: 'seed', up: "INSERT INTO a (id, label) VALUES (2, 'seed')" }
        const error = await migrator(fromList([createTable(1, 'a'), seed]))
          .baseline()
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(InvalidOptionsError)
        expect((error as Error).message).toMatch(/matches 1_create_a, 2_seed alike.*with to \(--to\)/)
        expect(await database.tables()).toEqual(['a'])
      })

      itNeeds('scratchDatabases', 'over history, does not record a pending data migration the schema cannot tell apart', async () => {
        const seed = { version: 2, name: 'seed', up: "INSERT INTO a (id, label) VALUES (2, 'seed')" }
        const source = fromList([createTable(1, 'a'), seed])
        await migrator(source).up({ to: 1 })
        const error = await migrator(source)
          .baseline()
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(InvalidOptionsError)
        expect((error as Error).message).toMatch(/matches 1_create_a, 2_seed alike/)
        expect((await migrator(source).status()).map((entry) => entry.state)).toEqual(['applied', 'pending'])
        await migrator(source).up()
        expect(await count('a')).toBe(2)
      })

      itNeeds(
        'scratchDatabases',
        'over history, says nothing is to baseline when the schema is that of the newest applied one',
        async () => {
          const source = fromList(adopted)
          await migrator(source).up({ to: 1 })
          await expect(migrator(source).baseline()).rejects.toThrow(/matches 1_create_a, which is already recorded.*Use up/)
          expect((await migrator(source).status()).map((entry) => entry.state)).toEqual(['applied', 'pending'])
        },
      )

      it('records an unverified baseline only with force, and says so in history', async () => {
        const baselined = await migrator(fromList(adopted)).baseline({ to: 2, force: true })
        expect(baselined).toHaveLength(2)
        const [entry] = await migrator(fromList(adopted)).status()
        expect(entry?.detail).toMatch(/not compared/)
      })
    })

    describe('schema snapshots', () => {
      itNeeds('scratchDatabases', "describe tables, columns, keys and indexes, leaving out mig's own tables", async () => {
        const source = fromList([
          {
            version: 1,
            name: 'schema',
            up: [
              'CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE)',
              "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE, note TEXT DEFAULT 'none', score INTEGER CHECK (score >= 0))",
              'CREATE INDEX child_parent ON child (parent_id)',
              'CREATE UNIQUE INDEX child_note ON child (note) WHERE note IS NOT NULL',
            ].join(';\n'),
          },
        ])
        const subject = migrator(source)
        await subject.up()
        const snapshot = await subject.describeSchema()
        expect(snapshot.tables.map((table) => table.name)).toEqual(['child', 'parent'])
        const [child, parent] = snapshot.tables
        // Columns keep their position, as a dump must.
        expect(child?.columns.filter((column) => column.name !== 'id').map((column) => [column.name, column.nullable])).toEqual([
          ['parent_id', false],
          ['note', true],
          ['score', true],
        ])
        expect(child?.primaryKey).toEqual(['id'])
        expect(child?.foreignKeys).toEqual([
          expect.objectContaining({ columns: ['parent_id'], referencedTable: 'parent', referencedColumns: ['id'], onDelete: 'CASCADE' }),
        ])
        expect(child?.checks).toEqual([expect.objectContaining({ column: 'score' })])
        expect(child?.indexes.map((index) => [index.name, index.columns, index.unique, index.predicate !== undefined])).toEqual([
          ['child_note', ['note'], true, true],
          ['child_parent', ['parent_id'], false, false],
        ])
        expect(parent?.uniques).toEqual([['code']])
        expect(await subject.expectedSchema()).toEqual(snapshot)
      })
    })

    describe('schema tools', () => {
      const withIndex: MigrationDefinition[] = [
        createTable(1, 'projects'),
        {
          version: 2,
          name: 'create_tokens',
          up: [
            "CREATE TABLE tokens (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects (id), expires_at INTEGER, code TEXT UNIQUE CHECK (code <> ''))",
            'CREATE INDEX tokens_expiry ON tokens (expires_at) WHERE expires_at IS NOT NULL',
            'CREATE VIEW live_tokens AS SELECT id, project_id FROM tokens WHERE expires_at IS NULL',
            'CREATE VIEW live_projects AS SELECT DISTINCT project_id FROM live_tokens',
          ].join(';\n'),
          down: 'DROP VIEW live_projects;\nDROP VIEW live_tokens;\nDROP TABLE tokens',
        },
      ]

      itNeeds('scratchDatabases', 'drift reports a hand-made change object by object, and nothing after a plain run', async () => {
        const subject = migrator(fromList(withIndex))
        await subject.up()
        expect(await subject.drift()).toEqual({
          migration: { version: 2, name: 'create_tokens', file: '2_create_tokens' },
          repeatables: [],
          differences: [],
        })
        await rows('DROP INDEX tokens_expiry')
        await rows('CREATE INDEX tokens_by_hand ON tokens (project_id)')
        await rows('ALTER TABLE projects ADD COLUMN api_key TEXT')
        const drift = await subject.drift()
        expect(drift.differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
          'column projects.api_key extra in the database',
          'index tokens_by_hand extra in the database',
          'index tokens_expiry missing in the database',
        ])
      })

      itNeeds('scratchDatabases', 'drift drafts the migration that adopts a hand-made change, which baseline then records', async () => {
        const subject = migrator(fromList(withIndex))
        await subject.up()
        await rows('CREATE INDEX tokens_by_hand ON tokens (project_id)')
        await rows('ALTER TABLE projects ADD COLUMN api_key TEXT')
        const { draft } = await subject.drift({ draft: true })
        expect(draft?.up.byHand).toEqual([])
        const [up, down] = [draft?.up.statements.join('\n') ?? '', draft?.down.statements.join('\n') ?? '']
        const adopted = fromList([...withIndex, { version: 3, name: 'adopt_drift', up, down }])
        expect((await migrator(adopted).baseline({ to: 3 })).map((migration) => migration.version)).toEqual([3])
        expect((await migrator(adopted).drift()).differences).toEqual([])
        expect((await migrator(adopted).testReversibility()).passed).toBe(true)
      })

      itNeeds('scratchDatabases', 'drift refuses to draft while migrations are pending, since the draft would follow them', async () => {
        const source = fromList(withIndex)
        await migrator(source).up({ to: 1 })
        await rows('CREATE INDEX projects_by_hand ON projects (label)')
        await expect(migrator(source).drift({ draft: true })).rejects.toThrow(/2_create_tokens is pending.*mig baseline/)
        expect((await migrator(source).drift()).differences).toHaveLength(1)
      })

      itNeeds('scratchDatabases', 'drift compares with what the applied migrations build, not the pending ones', async () => {
        const source = fromList([...withIndex, createTable(3, 'later')])
        await migrator(source).up({ to: 2 })
        expect((await migrator(source).drift()).differences).toEqual([])
      })

      itNeeds(
        'scratchDatabases',
        'dump loads back into an empty database with the same snapshot, and is the same bytes each time',
        async () => {
          const subject = migrator(fromList(withIndex))
          await subject.up()
          const dump = await subject.dump()
          expect(await subject.dump()).toBe(dump)
          expect(await subject.dump({ from: 'migrations' })).toBe(dump)
          const empty = await target.createDatabase()
          try {
            const session = await empty.driver().connect()
            try {
              await session.runScript(dump)
            } finally {
              await session.close()
            }
            const loaded = new Migrator({ driver: empty.driver(), source: fromList([]) })
            expect(await loaded.describeSchema()).toEqual(await subject.describeSchema())
            expect(await loaded.dump()).toBe(dump)
          } finally {
            await empty.destroy()
          }
          await expect(subject.dump({ from: 'elsewhere' as 'database' })).rejects.toThrow(InvalidOptionsError)
        },
      )

      itNeeds('scratchDatabases', 'mig test passes when every down undoes its up, and lists irreversible migrations', async () => {
        const source = fromList([...withIndex, { version: 3, name: 'seed', up: "INSERT INTO projects (id, label) VALUES (7, 'seed')" }])
        const report = await migrator(source).testReversibility({ acceptIrreversible: [3] })
        expect(report).toMatchObject({ passed: true, untested: [] })
        expect(report.migrations.map((entry) => [entry.migration.version, entry.outcome, entry.accepted])).toEqual([
          [1, 'reversible', undefined],
          [2, 'reversible', undefined],
          [3, 'irreversible', true],
        ])
        expect((await migrator(source).testReversibility()).passed).toBe(false)
        expect(await database.tables()).toEqual([])
      })

      itNeeds(
        'scratchDatabases',
        'mig test fails on a down that forgets an index, naming the index, and tests from a version on',
        async () => {
          const forgetful: MigrationDefinition = {
            version: 3,
            name: 'index_labels',
            up: 'CREATE INDEX projects_label ON projects (label)',
            down: 'SELECT 1',
          }
          const source = fromList([...withIndex, forgetful, createTable(4, 'after')])
          const report = await migrator(source).testReversibility({ from: 2 })
          expect(report.passed).toBe(false)
          expect(report.migrations.map((entry) => [entry.migration.version, entry.outcome])).toEqual([
            [2, 'reversible'],
            [3, 'not-restored'],
          ])
          expect(report.untested.map((migration) => migration.version)).toEqual([4])
          expect(report.migrations[1]?.differences.map((difference) => describeDifference(difference, REVERSIBILITY_WORDING))).toEqual([
            'index projects_label left over after down',
          ])
        },
      )

      itNeeds('scratchDatabases', 'mig test reports a step that fails', async () => {
        const broken: MigrationDefinition = {
          version: 2,
          name: 'broken_down',
          up: 'CREATE TABLE b (id INTEGER)',
          down: 'DROP TABLE nowhere',
        }
        const report = await migrator(fromList([createTable(1, 'a'), broken])).testReversibility()
        expect(report.passed).toBe(false)
        expect(report.migrations[1]).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^down failed: .*nowhere/) })
      })

      itNeeds(
        'scratchDatabases',
        'dump from migrations and baseline name a migration with no SQL yet instead of building less',
        async () => {
          const unwritten: MigrationDefinition = { version: 2, name: 'unwritten', up: '-- to do', down: 'SELECT 1' }
          const source = fromList([createTable(1, 'a'), unwritten, createTable(3, 'c')])
          const named = { code: 'MIG_INVALID_MIGRATION', file: '2_unwritten', message: expect.stringContaining('holds no SQL yet') }
          await expect(migrator(source).dump({ from: 'migrations' })).rejects.toMatchObject(named)
          await rows('CREATE TABLE a (id INTEGER PRIMARY KEY, label TEXT NOT NULL)')
          await rows('CREATE TABLE c (id INTEGER PRIMARY KEY, label TEXT NOT NULL)')
          await expect(migrator(source).baseline({ to: 3 })).rejects.toMatchObject(named)
          await expect(migrator(source).baseline()).rejects.toMatchObject(named)
          expect(await userTables()).toEqual(['a', 'c'])
          expect(await migrator(source).expectedSchema({ to: 1 })).toMatchObject({ tables: [{ name: 'a' }] })
        },
      )

      itNeeds('scratchDatabases', 'mig test fails on a migration with no SQL yet, and never reverts the one before it', async () => {
        const unwritten: MigrationDefinition = { version: 2, name: 'unwritten', up: '-- to do', down: 'SELECT 1' }
        const source = fromList([createTable(1, 'a'), unwritten, createTable(3, 'c')])
        for (const from of [undefined, 2, 3]) {
          const report = await migrator(source).testReversibility({ from })
          expect(report.passed).toBe(false)
          expect(report.migrations.at(-1)).toMatchObject({
            migration: { version: 2 },
            outcome: 'failed',
            error: expect.stringMatching(/^up applied nothing: its up section holds no SQL yet/),
          })
          expect(report.untested.map((migration) => migration.version)).toEqual([3])
        }
      })
    })
  })
}
