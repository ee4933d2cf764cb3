import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BaselineRefusedError, InvalidMigrationError, RepairRefusedError, UnsupportedFeatureError } from '../errors.js'
import type { MigratorEvent } from '../events.js'
import { fromDirectory } from '../from-directory.js'
import { SchemaMismatchError } from '../history-errors.js'
import { repeatableTableOf } from '../history-table.js'
import { Migrator } from '../migrator.js'
import { MigrationFailedError } from '../run-errors.js'
import { type ConformanceDatabase, type ConformanceTarget, queryDatabase } from './conformance-target.js'

const USERS = '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, active INTEGER);\n-- mig:down\nDROP TABLE users;\n'
/** Both dialects redefine a view this way; PostgreSQL's CREATE OR REPLACE VIEW is tested in its own package. */
const view = (columns: string) =>
  `DROP VIEW IF EXISTS active_users;\nCREATE VIEW active_users AS SELECT ${columns} FROM users WHERE active = 1;\n`

/**
 * Repeatable migrations (`migrations/repeatable/*.sql`) on a real database: applied after the
 * versioned ones whenever their file changed, in name order, each in a transaction with its
 * record; never reverted. On a driver whose history SQL has no repeatables table, each test
 * checks instead that core refuses repeatable migrations before anything runs.
 */
export function runRepeatableSuite(target: ConformanceTarget): void {
  describe(`repeatable migrations: ${target.name}`, () => {
    let database: ConformanceDatabase
    let folder: string

    beforeEach(async () => {
      database = await target.createDatabase()
      folder = await mkdtemp(join(tmpdir(), 'mig-repeatable-'))
      await mkdir(join(folder, 'repeatable'))
      await writeFile(join(folder, '0001_users.sql'), USERS)
    })

    afterEach(async () => {
      await database.destroy()
      await rm(folder, { recursive: true, force: true })
    })

    const write = (file: string, content: string) => writeFile(join(folder, file), content)
    const migrator = () => new Migrator({ driver: database.driver(), source: fromDirectory(folder) })

    const rows = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => queryDatabase<Row>(database, sql, params)
    const recorded = async () =>
      await rows<{ name: string; checksum: string }>(
        `SELECT name, checksum FROM ${repeatableTableOf({ name: 'mig_migrations' }).name} ORDER BY name`,
      )
    const viewColumns = async () => Object.keys((await rows('SELECT * FROM active_users'))[0] ?? {}).sort()

    /** A driver whose history SQL has no repeatables table must refuse them before anything runs: checked instead. */
    const itNeedsRepeatables = (name: string, test: () => Promise<void>) =>
      it(name, async () => {
        if (database.driver().text.historySql({ name: 'mig_migrations' }).repeatables) return test()
        await write('repeatable/views.sql', view('id, email'))
        await expect(migrator().up()).rejects.toThrow(UnsupportedFeatureError)
        expect(await database.tables()).toEqual([])
      })

    itNeedsRepeatables('run after every versioned migration, in name order, and are recorded with their checksum', async () => {
      await write('repeatable/b_views.sql', view('id, email'))
      await write(
        'repeatable/a_counts.sql',
        'DROP VIEW IF EXISTS user_count;\nCREATE VIEW user_count AS SELECT COUNT(*) AS n FROM users;\n',
      )
      const result = await migrator().up()
      expect(result.migrations.map((migration) => [migration.file, migration.repeatable ?? false])).toEqual([
        ['0001_users.sql', false],
        ['repeatable/a_counts.sql', true],
        ['repeatable/b_views.sql', true],
      ])
      const listed = await fromDirectory(folder).listRepeatables?.()
      expect(await recorded()).toEqual(listed?.map((repeatable) => ({ name: repeatable.name, checksum: repeatable.checksum })))
      expect((await migrator().up()).migrations).toEqual([])
      expect((await migrator().repeatables()).map((status) => [status.file, status.state])).toEqual([
        ['repeatable/a_counts.sql', 'up-to-date'],
        ['repeatable/b_views.sql', 'up-to-date'],
      ])
    })

    itNeedsRepeatables('a changed file runs again and redefines its view; an unchanged one does not run', async () => {
      await write(
        'repeatable/a_counts.sql',
        'DROP VIEW IF EXISTS user_count;\nCREATE VIEW user_count AS SELECT COUNT(*) AS n FROM users;\n',
      )
      await write('repeatable/b_views.sql', view('id'))
      await migrator().up()
      await rows("INSERT INTO users (id, email, active) VALUES (1, 'a@example.com', 1)")
      expect(await viewColumns()).toEqual(['id'])
      await write('repeatable/b_views.sql', view('id, email'))
      expect((await migrator().repeatables()).map((status) => status.state)).toEqual(['up-to-date', 'changed'])
      expect(await migrator().hasPending()).toBe(true)
      const planned = await migrator().plan({ direction: 'up' })
      expect(planned.map((migration) => [migration.file, migration.sql])).toEqual([['repeatable/b_views.sql', view('id, email')]])
      expect((await migrator().up()).migrations.map((migration) => migration.file)).toEqual(['repeatable/b_views.sql'])
      expect(await viewColumns()).toEqual(['email', 'id'])
    })

    itNeedsRepeatables('an unchanged one runs again in the same up when a pending migration drops its view, and says why', async () => {
      await write('repeatable/views.sql', view('id, email'))
      await migrator().up()
      await rows("INSERT INTO users (id, email, active) VALUES (1, 'a@example.com', 1)")
      await write('0002_drop.sql', '-- mig:up\nDROP VIEW "active_users";\nCREATE TABLE more (id INTEGER);\n')
      const why = '0002_drop.sql drops view active_users, which it creates'
      expect((await migrator().repeatables()).map((status) => [status.state, status.runsAgain])).toEqual([['up-to-date', why]])
      const warnings: string[] = []
      const planning = migrator()
      planning.on('warning', (event: Extract<MigratorEvent, { type: 'warning' }>) => warnings.push(event.message))
      const planned = await planning.plan({ direction: 'up' })
      expect(planned.map((migration) => migration.file)).toEqual(['0002_drop.sql', 'repeatable/views.sql'])
      expect(warnings).toEqual([`runs again: ${why}.`])
      expect((await migrator().up()).migrations.map((migration) => migration.file)).toEqual(['0002_drop.sql', 'repeatable/views.sql'])
      expect(await viewColumns()).toEqual(['email', 'id'])
      expect((await migrator().repeatables()).map((status) => [status.state, status.runsAgain])).toEqual([['up-to-date', undefined]])
    })

    itNeedsRepeatables('an unchanged one does not run again when a pending migration drops something else', async () => {
      await write('repeatable/views.sql', view('id'))
      await migrator().up()
      const other = 'CREATE VIEW other_users AS SELECT id FROM users;\nDROP VIEW other_users;\n'
      await write('0002_other.sql', `-- mig:up\n-- DROP VIEW active_users;\n${other}SELECT 'DROP VIEW active_users';\n`)
      expect((await migrator().repeatables())[0]?.runsAgain).toBeUndefined()
      expect((await migrator().up()).migrations.map((migration) => migration.file)).toEqual(['0002_other.sql'])
    })

    itNeedsRepeatables('one that fails stops the run with its file, rolls back, and is not recorded', async () => {
      await write('repeatable/views.sql', view('id'))
      await migrator().up()
      await rows("INSERT INTO users (id, email, active) VALUES (1, 'a@example.com', 1)")
      const before = await recorded()
      await write('repeatable/views.sql', `${view('id')}SELECT no_such_column FROM users;\n`)
      const failure = await migrator()
        .up()
        .catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(MigrationFailedError)
      expect((failure as MigrationFailedError).migration.file).toBe('repeatable/views.sql')
      expect(await recorded()).toEqual(before)
      expect(await viewColumns()).toEqual(['id'])
      expect((await migrator().repeatables()).map((status) => status.state)).toEqual(['changed'])
    })

    itNeedsRepeatables('one that would end its transaction is refused by validate as by up, with a fix that applies to it', async () => {
      await write('repeatable/views.sql', `${view('id')}COMMIT;\n`)
      const refusals = [
        await migrator()
          .validate()
          .catch((error: unknown) => error),
        await migrator()
          .up()
          .catch((error: unknown) => error),
      ]
      for (const refusal of refusals) {
        expect(refusal).toBeInstanceOf(InvalidMigrationError)
        expect((refusal as Error).message).toMatch(/^repeatable\/views\.sql:3: COMMIT would end or nest the transaction/)
        expect((refusal as Error).message).toContain('into a versioned migration marked "-- mig:no-transaction"')
        expect((refusal as Error).message).not.toContain('section')
      }
      // Refused before anything ran: not even the versioned migration before it, nor history.
      expect(await database.tables()).not.toEqual(expect.arrayContaining(['users']))
      expect(await database.tables()).not.toEqual(expect.arrayContaining(['mig_migrations']))
    })

    itNeedsRepeatables('wait while versioned migrations stay pending, and down never touches them', async () => {
      await write('0002_more.sql', '-- mig:up\nCREATE TABLE more (id INTEGER);\n-- mig:down\nDROP TABLE more;\n')
      await write('repeatable/views.sql', view('id'))
      const warnings: string[] = []
      const first = migrator()
      first.on('warning', (event: Extract<MigratorEvent, { type: 'warning' }>) => warnings.push(event.message))
      expect((await first.up({ to: 1 })).migrations.map((migration) => migration.file)).toEqual(['0001_users.sql'])
      expect(warnings.join('\n')).toMatch(/repeatable\/views\.sql will run once no versioned migration is pending/)
      expect((await migrator().up()).migrations.map((migration) => migration.file)).toEqual(['0002_more.sql', 'repeatable/views.sql'])
      await rows("INSERT INTO users (id, email, active) VALUES (1, 'a@example.com', 1)")
      const reverted = await migrator().down({ step: 1 })
      expect(reverted.migrations.map((migration) => migration.file)).toEqual(['0002_more.sql'])
      expect(await recorded()).toHaveLength(1)
      expect(await viewColumns()).toEqual(['id'])
    })

    itNeedsRepeatables('drift counts the ones the database ran, after a down too, and not one it has not run yet', async () => {
      await write('0002_tags.sql', '-- mig:up\nCREATE TABLE tags (id INTEGER);\n-- mig:down\nDROP TABLE tags;\n')
      await write('repeatable/views.sql', view('id'))
      await migrator().up()
      if (!database.driver().capabilities.scratchDatabases) {
        await expect(migrator().drift()).rejects.toThrow(UnsupportedFeatureError)
        return
      }
      expect((await migrator().drift()).differences).toEqual([])
      await migrator().down()
      expect((await migrator().drift()).differences).toEqual([])
      await write('repeatable/counts.sql', 'DROP VIEW IF EXISTS user_count;\nCREATE VIEW user_count AS SELECT COUNT(*) AS n FROM users;\n')
      expect((await migrator().drift()).differences).toEqual([])
    })

    itNeedsRepeatables(
      'drift counts them when no versioned migration is applied: after down --all, and with no versioned file at all',
      async () => {
        if (!database.driver().capabilities.scratchDatabases) return
        await write('repeatable/counts.sql', 'DROP VIEW IF EXISTS one_row;\nCREATE VIEW one_row AS SELECT 1 AS n;\n')
        await migrator().up()
        await migrator().down({ all: true })
        const afterDown = await migrator().drift()
        expect(afterDown.migration).toBeUndefined()
        expect(afterDown.differences).toEqual([])
        expect(afterDown.repeatables).toEqual(['repeatable/counts.sql'])
        await unlink(join(folder, '0001_users.sql'))
        expect((await migrator().drift()).differences).toEqual([])
        await rows('DROP VIEW one_row')
        expect((await migrator().drift()).differences).toEqual([
          expect.objectContaining({ kind: 'view', object: 'one_row', change: 'missing' }),
        ])
      },
    )

    describe('baseline', () => {
      /** A database built by hand: the users table and, when given, the view as a file of its own would make it. */
      const handBuild = async (viewColumns?: string) => {
        await rows('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, active INTEGER)')
        if (viewColumns) await rows(`CREATE VIEW active_users AS SELECT ${viewColumns} FROM users WHERE active = 1`)
      }
      const refusal = (promise: Promise<unknown>) =>
        promise.then(
          () => undefined,
          (error: unknown) => error,
        )
      const needsScratch = async () => {
        if (database.driver().capabilities.scratchDatabases) return true
        await expect(migrator().baseline()).rejects.toThrow(UnsupportedFeatureError)
        return false
      }

      itNeedsRepeatables('adopts a hand-built database that has the view, records the file, and the next up runs nothing', async () => {
        await write('repeatable/views.sql', view('id, email'))
        await handBuild('id, email')
        if (!(await needsScratch())) return
        const baselined = await migrator().baseline()
        expect(baselined.map((migration) => migration.file)).toEqual(['0001_users.sql', 'repeatable/views.sql'])
        const listed = await fromDirectory(folder).listRepeatables?.()
        expect(await recorded()).toEqual([{ name: 'views', checksum: listed?.[0]?.checksum }])
        expect(await migrator().hasPending()).toBe(false)
        expect((await migrator().up()).migrations).toEqual([])
        expect((await migrator().repeatables()).map((status) => status.state)).toEqual(['up-to-date'])
      })

      itNeedsRepeatables('refuses a database whose view differs from its file, naming the file, and writes nothing', async () => {
        await write('repeatable/views.sql', view('id, email'))
        await handBuild('id')
        if (!(await needsScratch())) return
        const error = await refusal(migrator().baseline({ to: 1 }))
        expect(error).toBeInstanceOf(SchemaMismatchError)
        expect((error as SchemaMismatchError).repeatables).toEqual([{ file: 'repeatable/views.sql', objects: ['active_users'] }])
        expect((error as Error).message).toContain(
          'Made by repeatable migrations, as their files are now: repeatable/views.sql (active_users)',
        )
        expect(await database.tables()).not.toEqual(expect.arrayContaining(['mig_migrations']))
      })

      itNeedsRepeatables('leaves the file for up when the database lacks its view, and up then runs only it', async () => {
        await write('repeatable/views.sql', view('id, email'))
        await handBuild()
        if (!(await needsScratch())) return
        const warnings: string[] = []
        const adopting = migrator()
        adopting.on('warning', (event: Extract<MigratorEvent, { type: 'warning' }>) => warnings.push(event.message))
        expect((await adopting.baseline()).map((migration) => migration.file)).toEqual(['0001_users.sql'])
        expect(warnings).toEqual(['repeatable/views.sql: the database lacks what it makes, so the next up runs it.'])
        expect((await migrator().up()).migrations.map((migration) => migration.file)).toEqual(['repeatable/views.sql'])
        await rows("INSERT INTO users (id, email, active) VALUES (1, 'a@example.com', 1)")
        expect(await viewColumns()).toEqual(['email', 'id'])
      })

      itNeedsRepeatables('builds no repeatable migration while versioned ones stay pending after the version, and says so', async () => {
        await write('0002_seed.sql', "-- mig:up\nINSERT INTO users (id, email, active) VALUES (9, 'seed@example.com', 0);\n")
        await write('repeatable/views.sql', view('id, email'))
        await handBuild('id, email')
        if (!(await needsScratch())) return
        const error = await refusal(migrator().baseline({ to: 1 }))
        expect(error).toBeInstanceOf(SchemaMismatchError)
        expect((error as Error).message).toContain('active_users: view extra')
        expect((error as Error).message).toContain('were not built: they run only once no versioned migration is pending')
        // Without a version, 0001 matches but for the view, as 0002 does with it: a schema cannot tell them apart.
        await expect(migrator().baseline()).rejects.toThrow(BaselineRefusedError)
        expect((await migrator().baseline({ to: 2 })).map((migration) => migration.file)).toEqual([
          '0001_users.sql',
          '0002_seed.sql',
          'repeatable/views.sql',
        ])
      })

      itNeedsRepeatables('with force records the versioned migrations only, and up runs the repeatable ones', async () => {
        await write('repeatable/views.sql', view('id, email'))
        await handBuild('id')
        expect((await migrator().baseline({ to: 1, force: true })).map((migration) => migration.file)).toEqual(['0001_users.sql'])
        expect((await migrator().up()).migrations.map((migration) => migration.file)).toEqual(['repeatable/views.sql'])
        await rows("INSERT INTO users (id, email, active) VALUES (1, 'a@example.com', 1)")
        expect(await viewColumns()).toEqual(['email', 'id'])
      })
    })

    itNeedsRepeatables('a removed file drops nothing, and status and up say so', async () => {
      await write('repeatable/views.sql', view('id'))
      await migrator().up()
      await unlink(join(folder, 'repeatable/views.sql'))
      expect(await migrator().repeatables()).toEqual([expect.objectContaining({ file: 'repeatable/views.sql', state: 'removed' })])
      await write('0002_more.sql', '-- mig:up\nCREATE TABLE more (id INTEGER);\n')
      const warnings: string[] = []
      const next = migrator()
      next.on('warning', (event: Extract<MigratorEvent, { type: 'warning' }>) => warnings.push(event.message))
      await next.up()
      expect(warnings.join('\n')).toMatch(
        /repeatable\/views\.sql was applied before and its file is gone: removing a repeatable migration drops nothing/,
      )
      await rows("INSERT INTO users (id, email, active) VALUES (1, 'a@example.com', 1)")
      expect(await viewColumns()).toEqual(['id'])
    })

    itNeedsRepeatables('repair forgets a removed one by name, and refuses one whose file is there or that history lacks', async () => {
      await write('repeatable/views.sql', view('id'))
      await write('repeatable/counts.sql', 'DROP VIEW IF EXISTS user_count;\nCREATE VIEW user_count AS SELECT COUNT(*) AS n FROM users;\n')
      await migrator().up()
      const still = await migrator()
        .repair({ repeatable: 'views', resolution: 'forget' })
        .catch((error: unknown) => error)
      expect(still).toBeInstanceOf(RepairRefusedError)
      expect((still as Error).message).toMatch(/repeatable\/views\.sql still has its file/)
      await expect(migrator().repair({ repeatable: 'nothing', resolution: 'forget' })).rejects.toThrow(
        /no repeatable migration named "nothing"/,
      )
      await unlink(join(folder, 'repeatable/views.sql'))
      const forgotten = await migrator().repair({ repeatable: 'views', resolution: 'forget' })
      expect(forgotten).toEqual({ version: 0, name: 'views', file: 'repeatable/views.sql', repeatable: true })
      expect((await recorded()).map((row) => row.name)).toEqual(['counts'])
      expect((await migrator().repeatables()).map((status) => [status.file, status.state])).toEqual([
        ['repeatable/counts.sql', 'up-to-date'],
      ])
      await rows("INSERT INTO users (id, email, active) VALUES (1, 'a@example.com', 1)")
      expect(await viewColumns()).toEqual(['id'])
    })
  })
}
