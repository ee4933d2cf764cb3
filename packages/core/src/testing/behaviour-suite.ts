import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../errors.js'
import type { MigratorEvent } from '../events.js'
import { fromDirectory } from '../from-directory.js'
import { fromList } from '../from-list.js'
import { ChecksumMismatchError, MissingMigrationError, OutOfOrderMigrationError, PartialMigrationError } from '../history-errors.js'
import type { MigrationSource } from '../migration.js'
import { Migrator } from '../migrator.js'
import type { MigratorOptions } from '../migrator-options.js'
import { IrreversibleMigrationError, LockTimeoutError, MigrationFailedError } from '../run-errors.js'
import { type ConformanceDatabase, type ConformanceTarget, queryDatabase } from './conformance-target.js'
import { itReportsRunningMigrations } from './running-migrations-suite.js'
import { createTable } from './sample-migrations.js'
import { runSchemaBehaviourSuite } from './schema-behaviour-suite.js'
import { runStoppingSuite } from './stopping-suite.js'

/**
 * The behaviours every driver must show on a real database, the runner end to end. Call it from
 * a test file of the dialect package; each test gets a fresh database from the target.
 */
export function runDriverBehaviourSuite(target: ConformanceTarget): void {
  describe(`driver behaviour: ${target.name}`, () => {
    let database: ConformanceDatabase
    let folders: string[] = []

    beforeEach(async () => {
      database = await target.createDatabase()
    })

    afterEach(async () => {
      await database.destroy()
      await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
      folders = []
    })

    const migrator = (source: MigrationSource, options: Partial<MigratorOptions> = {}) =>
      new Migrator({ driver: database.driver(), source, ...options })

    const userTables = async () => (await database.tables()).filter((table) => !table.startsWith('mig_')).sort()

    const rows = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => queryDatabase<Row>(database, sql, params)

    const count = async (table: string) => Number((await rows<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n)

    const folderWith = async (files: Record<string, string>) => {
      const folder = await mkdtemp(join(tmpdir(), 'mig-conformance-'))
      folders.push(folder)
      for (const [file, content] of Object.entries(files)) await writeFile(join(folder, file), content)
      return folder
    }

    const sqlFile = (up: string, down?: string) => `-- mig:up\n${up}\n${down === undefined ? '' : `-- mig:down\n${down}\n`}`

    describe('applying', () => {
      it('applies pending migrations in version order and records each one', async () => {
        const result = await migrator(fromList([createTable(2, 'b'), createTable(1, 'a'), createTable(10, 'c')])).up()
        expect(result.migrations.map((migration) => migration.version)).toEqual([1, 2, 10])
        expect(await userTables()).toEqual(['a', 'b', 'c'])
        // Versions of any length: SQLite keeps them as text, so the order is numeric only in mig.
        const history = await rows<{ version: unknown; state: string; checksum: string }>(
          'SELECT version, state, checksum FROM mig_migrations',
        )
        expect(history.map((row) => [Number(row.version), row.state]).sort(([a], [b]) => Number(a) - Number(b))).toEqual([
          [1, 'applied'],
          [2, 'applied'],
          [10, 'applied'],
        ])
        expect(history.every((row) => /^sha256:[0-9a-f]{64}$/.test(row.checksum))).toBe(true)
      })

      it('applies nothing the second time', async () => {
        const source = fromList([createTable(1, 'a')])
        await migrator(source).up()
        const again = await migrator(source).up()
        expect(again.migrations).toEqual([])
        expect(await count('a')).toBe(1)
      })

      it('stops at a target version or after a number of steps', async () => {
        const source = fromList([createTable(1, 'a'), createTable(2, 'b'), createTable(3, 'c')])
        await migrator(source).up({ to: 2 })
        expect(await userTables()).toEqual(['a', 'b'])
        await migrator(source).down({ all: true })
        await migrator(source).up({ step: 1 })
        expect(await userTables()).toEqual(['a'])
      })

      it('keeps the history table under the configured name', async () => {
        await migrator(fromList([createTable(1, 'a')]), { table: 'schema_history' }).up()
        expect(await database.tables()).toContain('schema_history')
        expect(Number((await rows<{ n: unknown }>('SELECT COUNT(*) AS n FROM schema_history'))[0]?.n)).toBe(1)
      })

      it('refuses a history table name that is not a plain identifier, before connecting', () => {
        expect(() => migrator(fromList([]), { table: 'x; DROP TABLE y' })).toThrow(InvalidOptionsError)
        expect(() => migrator(fromList([]), { table: 'a"b' })).toThrow(InvalidOptionsError)
      })

      it('runs code migrations on the migration transaction, with parameters', async () => {
        const source = fromList([
          createTable(1, 'a'),
          {
            version: 2,
            name: 'seed',
            up: async (context) => {
              await context.query(`INSERT INTO a (id, label) VALUES (${target.placeholder(1)}, ${target.placeholder(2)})`, [2, 'from code'])
            },
            down: (context) => context.run('DELETE FROM a WHERE id = 2'),
          },
        ])
        await migrator(source).up()
        expect(await rows('SELECT label FROM a WHERE id = 2')).toEqual([{ label: 'from code' }])
        await migrator(source).down()
        expect(await count('a')).toBe(1)
      })

      it('reports each step as an event', async () => {
        const events: string[] = []
        const subject = migrator(fromList([createTable(1, 'a')]))
        for (const type of ['lock-acquired', 'migrating', 'migrated', 'lock-released'] as const) {
          subject.on(type, (event: MigratorEvent) => events.push(event.type))
        }
        await subject.up()
        expect(events).toEqual(['lock-acquired', 'migrating', 'migrated', 'lock-released'])
      })

      it('announces the SQL it sends: a section whole in a transaction, each statement outside one', async () => {
        const folder = await folderWith({
          '0001_a.sql': sqlFile('CREATE TABLE a (id INTEGER);\nINSERT INTO a (id) VALUES (1);', 'DROP TABLE a;'),
          '0002_b.sql': `-- mig:no-transaction\n${sqlFile('CREATE TABLE b (id INTEGER);\nINSERT INTO b (id) VALUES (1);', 'DROP TABLE b;')}`,
        })
        const sent: string[] = []
        const subject = migrator(fromDirectory(folder))
        subject.on('executing', (event) => sent.push(`${event.migration.file}: ${event.sql.trim()}`))
        await subject.up()
        expect(sent).toEqual([
          '0001_a.sql: CREATE TABLE a (id INTEGER);\nINSERT INTO a (id) VALUES (1);',
          '0002_b.sql: CREATE TABLE b (id INTEGER);',
          '0002_b.sql: INSERT INTO b (id) VALUES (1);',
        ])
      })
    })

    describe('failing', () => {
      it('rolls a failed migration back: neither its table nor its history row remains', async () => {
        const folder = await folderWith({
          '0001_a.sql': sqlFile('CREATE TABLE a (id INTEGER PRIMARY KEY);', 'DROP TABLE a;'),
          '0002_broken.sql': sqlFile(
            'CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO b (id) VALUES (1);\nINSERT INTO missing_table (id) VALUES (1);',
          ),
        })
        const failure = await migrator(fromDirectory(folder))
          .up()
          .catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(MigrationFailedError)
        const error = failure as MigrationFailedError
        expect(error.migration.file).toBe('0002_broken.sql')
        expect(error.position?.line).toBe(4)
        expect(error.message).toContain('0002_broken.sql:4')
        expect(error.message).toMatch(/missing_table/)
        expect(error.completed.map((migration) => migration.file)).toEqual(['0001_a.sql'])
        // A database whose DDL commits at once (transactionalDdl false) keeps table b, and mig says so.
        const { transactionalDdl } = database.driver().capabilities
        expect(error.rolledBack).toBe(transactionalDdl)
        expect(error.outcome).toBe(transactionalDdl ? 'rolled-back' : 'ddl-kept')
        expect(await userTables()).toEqual(transactionalDdl ? ['a'] : ['a', 'b'])
        expect((await rows<{ version: unknown }>('SELECT version FROM mig_migrations')).map((row) => Number(row.version))).toEqual([1])
      })

      it('rolls back a code migration that throws after writing', async () => {
        const source = fromList([
          createTable(1, 'a'),
          {
            version: 2,
            name: 'throws',
            up: async (context) => {
              await context.run("INSERT INTO a (id, label) VALUES (2, 'half')")
              throw new Error('the code migration gave up')
            },
          },
        ])
        await expect(migrator(source).up()).rejects.toThrow(/the code migration gave up/)
        expect(await count('a')).toBe(1)
      })

      it('refuses to roll back past an irreversible migration and reverts nothing', async () => {
        const source = fromList([
          createTable(1, 'a'),
          { version: 2, name: 'no_down', up: 'CREATE TABLE b (id INTEGER)' },
          createTable(3, 'c'),
        ])
        await migrator(source).up()
        await expect(migrator(source).down({ all: true })).rejects.toThrow(IrreversibleMigrationError)
        expect(await userTables()).toEqual(['a', 'b', 'c'])
        await migrator(source).down()
        expect(await userTables()).toEqual(['a', 'b'])
      })
    })

    describe('validating history against the files', () => {
      it('refuses an applied file that was edited, naming it', async () => {
        const folder = await folderWith({ '0001_a.sql': sqlFile('CREATE TABLE a (id INTEGER);', 'DROP TABLE a;') })
        await migrator(fromDirectory(folder)).up()
        await writeFile(join(folder, '0001_a.sql'), sqlFile('CREATE TABLE a (id INTEGER, extra TEXT);', 'DROP TABLE a;'))
        await writeFile(join(folder, '0002_b.sql'), sqlFile('CREATE TABLE b (id INTEGER);'))
        const error = await migrator(fromDirectory(folder))
          .up()
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(ChecksumMismatchError)
        expect((error as Error).message).toContain('0001_a.sql')
        expect(await userTables()).toEqual(['a'])
        const status = await migrator(fromDirectory(folder)).status()
        expect(status.find((entry) => entry.version === 1)?.checksumMatches).toBe(false)
      })

      it('does not count an edit of line endings only as a change', async () => {
        const original = sqlFile('CREATE TABLE a (id INTEGER);', 'DROP TABLE a;')
        const folder = await folderWith({ '0001_a.sql': original })
        await migrator(fromDirectory(folder)).up()
        await writeFile(join(folder, '0001_a.sql'), `\ufeff${original.replace(/\n/g, '\r\n')}`)
        await expect(migrator(fromDirectory(folder)).validate()).resolves.toEqual({ applied: 1, pending: 0, running: 0 })
        await expect(migrator(fromDirectory(folder)).up()).resolves.toMatchObject({ migrations: [] })
      })

      it('refuses an applied file that is missing, naming it', async () => {
        const folder = await folderWith({
          '0001_a.sql': sqlFile('CREATE TABLE a (id INTEGER);'),
          '0002_b.sql': sqlFile('CREATE TABLE b (id INTEGER);'),
        })
        await migrator(fromDirectory(folder)).up()
        await unlink(join(folder, '0002_b.sql'))
        await expect(migrator(fromDirectory(folder)).up()).rejects.toThrow(MissingMigrationError)
        await expect(migrator(fromDirectory(folder)).validate()).rejects.toThrow(/2_b/)
        expect((await migrator(fromDirectory(folder)).status()).map((entry) => [entry.version, entry.fileFound])).toEqual([
          [1, true],
          [2, false],
        ])
      })

      it('refuses a pending file older than the newest applied one unless allowed', async () => {
        await migrator(fromList([createTable(1, 'a'), createTable(3, 'c')])).up()
        const withOlder = fromList([createTable(1, 'a'), createTable(2, 'b'), createTable(3, 'c')])
        const error = await migrator(withOlder)
          .up()
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(OutOfOrderMigrationError)
        expect((error as Error).message).toContain('2_create_b')
        expect(await userTables()).toEqual(['a', 'c'])
        expect((await migrator(withOlder).status()).find((entry) => entry.version === 2)?.outOfOrder).toBe(true)
        await migrator(withOlder, { allowOutOfOrder: true }).up()
        expect(await userTables()).toEqual(['a', 'b', 'c'])
      })
    })

    describe('outside a transaction', () => {
      itReportsRunningMigrations(() => database.driver())

      it('runs a no-transaction migration statement by statement and records it', async () => {
        const folder = await folderWith({
          '0001_a.sql': `-- mig:no-transaction\n${sqlFile('CREATE TABLE a (id INTEGER);\nINSERT INTO a (id) VALUES (1);', 'DROP TABLE a;')}`,
        })
        await migrator(fromDirectory(folder)).up()
        expect(await count('a')).toBe(1)
        expect(await rows('SELECT state FROM mig_migrations')).toEqual([{ state: 'applied' }])
        await migrator(fromDirectory(folder)).down()
        expect(await userTables()).toEqual([])
      })

      it('records a no-transaction migration that fails part-way and refuses to go on until it is repaired', async () => {
        const folder = await folderWith({
          '0001_partial.sql': `-- mig:no-transaction\n${sqlFile('CREATE TABLE a (id INTEGER);\nINSERT INTO missing_table (id) VALUES (1);\nCREATE TABLE b (id INTEGER);')}`,
        })
        const error = await migrator(fromDirectory(folder))
          .up()
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(MigrationFailedError)
        expect((error as MigrationFailedError).rolledBack).toBe(false)
        expect((error as MigrationFailedError).position?.line).toBe(4)
        expect((error as MigrationFailedError).statement).toContain('missing_table')
        expect(await userTables()).toEqual(['a'])
        const [record] = await rows<{ state: string; detail: string }>('SELECT state, detail FROM mig_migrations')
        expect(record?.state).toBe('failed')
        expect(record?.detail).toMatch(/statement 2 of 3/)

        await expect(migrator(fromDirectory(folder)).up()).rejects.toThrow(PartialMigrationError)
        await expect(migrator(fromDirectory(folder)).validate()).rejects.toThrow(/0001_partial\.sql/)

        await migrator(fromDirectory(folder)).repair({ version: 1, resolution: 'rolled-back' })
        await rows('DROP TABLE a')
        await writeFile(join(folder, '0001_partial.sql'), `-- mig:no-transaction\n${sqlFile('CREATE TABLE a (id INTEGER);')}`)
        await migrator(fromDirectory(folder)).up()
        expect(await rows('SELECT state FROM mig_migrations')).toEqual([{ state: 'applied' }])
      })

      it('marks a repaired migration as applied when the change was finished by hand', async () => {
        const source = fromList([
          { version: 1, name: 'partial', transaction: false, up: 'CREATE TABLE a (id INTEGER);\nINSERT INTO missing_table VALUES (1);' },
        ])
        await expect(migrator(source).up()).rejects.toThrow(MigrationFailedError)
        await migrator(source).repair({ version: 1, resolution: 'applied' })
        const status = await migrator(source).status()
        expect(status.map((entry) => entry.state)).toEqual(['applied'])
        await expect(migrator(source).validate()).resolves.toEqual({ applied: 1, pending: 0, running: 0 })
      })
    })

    describe('reverting', () => {
      it('reverts one migration by default, to a version, or all', async () => {
        const source = fromList([createTable(1, 'a'), createTable(2, 'b'), createTable(3, 'c'), createTable(4, 'd')])
        await migrator(source).up()
        const one = await migrator(source).down()
        expect(one.migrations.map((migration) => migration.version)).toEqual([4])
        await migrator(source).down({ to: 1 })
        expect(await userTables()).toEqual(['a'])
        await migrator(source).down({ all: true })
        expect(await userTables()).toEqual([])
        expect(await count('mig_migrations')).toBe(0)
      })

      it('redoes the newest migration', async () => {
        const source = fromList([createTable(1, 'a')])
        await migrator(source).up()
        await rows("INSERT INTO a (id, label) VALUES (2, 'added later')")
        const result = await migrator(source).redo()
        expect(result.reverted.migrations.map((migration) => migration.version)).toEqual([1])
        expect(result.applied.migrations.map((migration) => migration.version)).toEqual([1])
        expect(await count('a')).toBe(1)
      })
    })

    describe('concurrency', () => {
      it('two migrators racing on one database apply each migration exactly once', async () => {
        const source = fromList(Array.from({ length: 12 }, (_, index) => createTable(index + 1, `t${index + 1}`)))
        const [first, second] = await Promise.all([migrator(source).up(), migrator(source).up()])
        const applied = [...(first?.migrations ?? []), ...(second?.migrations ?? [])].map((migration) => Number(migration.version))
        expect(applied.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1))
        expect(await count('mig_migrations')).toBe(12)
        for (let table = 1; table <= 12; table++) expect(await count(`t${table}`)).toBe(1)
      })

      it('a second runner waits for the lock, reports the wait, and gives up at its timeout', async () => {
        let release = () => {}
        const held = new Promise<void>((resolve) => {
          release = resolve
        })
        let started = () => {}
        const running = new Promise<void>((resolve) => {
          started = resolve
        })
        const slow = fromList([
          {
            version: 1,
            name: 'slow',
            up: async () => {
              started()
              await held
            },
          },
        ])
        const holder = migrator(slow).up()
        await running
        const waits: MigratorEvent[] = []
        const waiting = migrator(slow, { lockTimeoutMs: 300 })
        waiting.on('lock-waiting', (event) => waits.push(event))
        const error = await waiting.up().catch((caught: unknown) => caught)
        release()
        await holder
        expect(error).toBeInstanceOf(LockTimeoutError)
        expect(waits.length).toBeGreaterThan(0)
        expect(await count('mig_migrations')).toBe(1)
        await expect(migrator(slow, { lockTimeoutMs: 300 }).up()).resolves.toMatchObject({ migrations: [] })
      })
    })
  })
  runSchemaBehaviourSuite(target)
  runStoppingSuite(target)
}
