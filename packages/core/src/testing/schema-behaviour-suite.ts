import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DriverCapabilities } from '../driver.js'
import { InvalidOptionsError, UnsupportedFeatureError } from '../errors.js'
import { fromList } from '../from-list.js'
import { SchemaMismatchError } from '../history-errors.js'
import type { MigrationSource } from '../migration.js'
import { Migrator } from '../migrator.js'
import type { ConformanceDatabase, ConformanceTarget } from './conformance-target.js'
import { createTable } from './sample-migrations.js'

/**
 * The behaviours that need the driver's schema part, end to end: verified baselines and schema
 * snapshots. A driver without the part must refuse them and change nothing. Part of
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
    const rows = async <Row = Record<string, unknown>>(sql: string): Promise<Row[]> => {
      const session = await database.driver().connect()
      try {
        return await session.query<Row>(sql)
      } finally {
        await session.close()
      }
    }
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
        expect(child?.columns.filter((column) => column.name !== 'id').map((column) => [column.name, column.nullable])).toEqual([
          ['note', true],
          ['parent_id', false],
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
  })
}
