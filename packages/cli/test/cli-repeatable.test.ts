import { mkdir, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Driver } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { queryRows } from './database-state.ts'
import { jsonLines } from './fleet-support.ts'
import { jsonOf, runMig, SQL, temporaryDirectory } from './run-mig.ts'

interface Dialect {
  readonly name: string
  /** A fresh database: the environment `mig` gets, and a driver to read it. */
  open(project: string): Promise<{ env: Record<string, string>; driver: () => Driver; close: () => Promise<void> }>
  /** A statement that defines the view, or redefines it when it exists. */
  readonly defineView: (columns: string) => string
}

const dialects: Dialect[] = [
  {
    name: 'SQLite',
    async open(project) {
      const filename = join(project, 'app.db')
      return { env: { DATABASE_URL: 'sqlite:./app.db' }, driver: () => sqliteDriver({ filename }), close: async () => {} }
    },
    defineView: (columns) => `DROP VIEW IF EXISTS user_emails;\nCREATE VIEW user_emails AS SELECT ${columns} FROM users;\n`,
  },
  {
    name: 'PostgreSQL',
    async open() {
      const database: TestDatabase = await createTestDatabase(inject('postgresUrl'))
      return {
        env: { DATABASE_URL: database.url },
        driver: () => postgresDriver({ connectionString: database.url }),
        close: () => database.drop(),
      }
    },
    defineView: (columns) => `CREATE OR REPLACE VIEW user_emails AS SELECT ${columns} FROM users;\n`,
  },
]

afterAll(async () => {})

describe.each(dialects)('repeatable migrations through the mig binary on $name', (dialect) => {
  let project: { path: string; remove: () => Promise<void> }
  let database: Awaited<ReturnType<Dialect['open']>>
  const mig = (...args: string[]) => runMig(args, { cwd: project.path, env: database.env })
  const write = (file: string, text: string) => writeFile(join(project.path, 'migrations', file), text)
  const viewColumns = async () => Object.keys((await queryRows(database.driver(), 'SELECT * FROM user_emails'))[0] ?? {}).sort()

  beforeEach(async () => {
    project = await temporaryDirectory('repeatable')
    database = await dialect.open(project.path)
    expect((await mig('init')).exitCode).toBe(0)
    await mkdir(join(project.path, 'migrations', 'repeatable'))
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_add_email.sql', SQL.addEmail)
    await write('repeatable/user_emails.sql', dialect.defineView('id'))
  })

  afterEach(async () => {
    await database.close()
    await project.remove()
  })

  it('status lists a view as new, up --dry-run and up apply it after the versioned migrations, and a change re-runs it', async () => {
    const before = await mig('status', '--exit-code')
    expect(before.exitCode).toBe(5)
    expect(before.stdout).toMatch(/new\s+repeatable\/user_emails\.sql/)
    expect(jsonOf(await mig('status', '--json')).repeatables).toEqual([
      {
        name: 'user_emails',
        file: 'repeatable/user_emails.sql',
        state: 'new',
        appliedAt: null,
        executionMs: null,
        appliedBy: null,
        runsAgain: null,
      },
    ])

    const planned = jsonOf(await mig('up', '--dry-run', '--json'))
    expect(planned.migrations.map((migration: { file: string; repeatable: boolean }) => [migration.file, migration.repeatable])).toEqual([
      ['0001_create_users.sql', false],
      ['0002_add_email.sql', false],
      ['repeatable/user_emails.sql', true],
    ])
    expect(planned.migrations[2].sql).toBe(dialect.defineView('id'))

    const applied = jsonOf(await mig('up', '--json'))
    expect(applied.migrations.map((migration: { file: string }) => migration.file)).toEqual([
      '0001_create_users.sql',
      '0002_add_email.sql',
      'repeatable/user_emails.sql',
    ])
    await queryRows(database.driver(), "INSERT INTO users (id, email) VALUES (1, 'a@example.com')")
    expect(await viewColumns()).toEqual(['id'])
    expect((await mig('status')).stdout).toMatch(/up to date\s+repeatable\/user_emails\.sql/)
    expect((await mig('status', '--exit-code')).exitCode).toBe(0)

    await write('repeatable/user_emails.sql', dialect.defineView('id, email'))
    expect((await mig('status')).stdout).toMatch(/changed, will re-run\s+repeatable\/user_emails\.sql/)
    const again = await mig('up')
    expect(again.exitCode).toBe(0)
    expect(again.stderr + again.stdout).toContain('repeatable/user_emails.sql')
    expect(await viewColumns()).toEqual(['email', 'id'])
    expect(jsonOf(await mig('up', '--json')).migrations).toEqual([])

    await write('0003_drop_view.sql', '-- mig:up\nDROP VIEW IF EXISTS user_emails;\nCREATE TABLE notes (id INTEGER);\n')
    const why = '0003_drop_view.sql drops view user_emails, which it creates'
    const status = await mig('status')
    expect(status.stdout).toMatch(/runs again\s+repeatable\/user_emails\.sql/)
    expect(status.stdout).toContain(`repeatable/user_emails.sql runs again: ${why}.`)
    const dryRun = await mig('up', '--dry-run')
    expect(dryRun.stderr + dryRun.stdout).toContain(`runs again: ${why}.`)
    expect(dryRun.stdout).toContain('-- repeatable/user_emails.sql (repeatable, runs again, in a transaction)')
    expect(jsonOf(await mig('plan', '--json')).migrations[1]).toMatchObject({ file: 'repeatable/user_emails.sql', runsAgain: why })
    const recreated = jsonOf(await mig('up', '--json'))
    expect(recreated.migrations.map((migration: { file: string }) => migration.file)).toEqual([
      '0003_drop_view.sql',
      'repeatable/user_emails.sql',
    ])
    expect(await viewColumns()).toEqual(['email', 'id'])
  })

  it('baseline adopts a hand-built database with the view and records it, so up runs nothing; a view that differs is refused by file', async () => {
    const handBuild = [
      'CREATE TABLE users (id INTEGER PRIMARY KEY)',
      'ALTER TABLE users ADD COLUMN email TEXT',
      'CREATE VIEW user_emails AS SELECT id, email FROM users',
    ]
    for (const statement of handBuild) await queryRows(database.driver(), statement)
    const differing = await mig('baseline')
    expect(differing.exitCode).toBe(3)
    expect(differing.stderr).toContain('Made by repeatable migrations, as their files are now: repeatable/user_emails.sql (user_emails)')

    await write('repeatable/user_emails.sql', dialect.defineView('id, email'))
    const adopted = await mig('baseline')
    expect(adopted.exitCode).toBe(0)
    expect(adopted.stdout).toContain('baselined  repeatable/user_emails.sql')
    expect(adopted.stdout).toContain('Baselined 2 migrations and 1 repeatable migration after the database matched the schema they build.')
    expect((await mig('status')).stdout).toMatch(/up to date\s+repeatable\/user_emails\.sql/)
    const idle = await mig('up', '--json')
    expect(jsonOf(idle).migrations).toEqual([])
  })

  it('a repeatable migration that fails stops up with a typed error naming the file, and the view stays as it was', async () => {
    expect((await mig('up')).exitCode).toBe(0)
    await write('repeatable/user_emails.sql', `${dialect.defineView('id, email')}SELECT no_such_column FROM users;\n`)
    const failed = await mig('up', '--json')
    expect(failed.exitCode).not.toBe(0)
    expect(jsonOf(failed)).toMatchObject({
      ok: false,
      error: { code: 'MIG_MIGRATION_FAILED', migration: { file: 'repeatable/user_emails.sql' }, rolledBack: true },
    })
    await queryRows(database.driver(), "INSERT INTO users (id, email) VALUES (1, 'a@example.com')")
    expect(await viewColumns()).toEqual(['id'])
    expect((await mig('status')).stdout).toMatch(/changed, will re-run\s+repeatable\/user_emails\.sql/)
  })

  it('a removed file drops nothing, and status and up say so', async () => {
    expect((await mig('up')).exitCode).toBe(0)
    await unlink(join(project.path, 'migrations', 'repeatable', 'user_emails.sql'))
    const status = await mig('status')
    expect(status.stdout).toMatch(/file removed: nothing was dropped\s+repeatable\/user_emails\.sql/)
    expect(status.stdout).toContain('A removed repeatable migration drops nothing')
    const idle = await mig('up')
    expect(idle.stdout).toContain('Nothing to apply: the database is up to date')
    expect(idle.stderr).toContain('repeatable/user_emails.sql was applied before and its file is gone')
    await write('0003_posts.sql', SQL.createPosts)
    const up = await mig('up')
    expect(up.exitCode).toBe(0)
    expect(up.stderr).toContain('repeatable/user_emails.sql was applied before and its file is gone')
    expect(await viewColumns()).toEqual([])
    expect(await queryRows(database.driver(), 'SELECT COUNT(*) AS n FROM user_emails')).toHaveLength(1)
  })

  it("repair <name> --forget removes a removed file's record, by name or path, and the warning with it", async () => {
    expect((await mig('up')).exitCode).toBe(0)
    const still = await mig('repair', 'user_emails', '--forget')
    expect(still.exitCode).toBe(2)
    expect(still.stderr).toContain('repeatable/user_emails.sql still has its file')
    const wrongFlag = await mig('repair', 'user_emails', '--accept-checksum')
    expect(wrongFlag.exitCode).toBe(2)
    expect(wrongFlag.stderr).toContain("a repeatable migration's name with --forget")

    await unlink(join(project.path, 'migrations', 'repeatable', 'user_emails.sql'))
    expect((await mig('status')).stdout).toContain('mig repair <name> --forget')
    const forgotten = await mig('repair', 'migrations/repeatable/user_emails.sql', '--forget', '--json')
    expect(forgotten.exitCode).toBe(0)
    expect(jsonOf(forgotten)).toMatchObject({
      migration: { version: 0, name: 'user_emails', file: 'repeatable/user_emails.sql', repeatable: true },
      resolution: 'forget',
    })
    expect(jsonOf(await mig('status', '--json')).repeatables).toEqual([])
    await write('0003_posts.sql', SQL.createPosts)
    const up = await mig('up')
    expect(up.exitCode).toBe(0)
    expect(up.stderr).not.toContain('its file is gone')
    expect(await queryRows(database.driver(), 'SELECT COUNT(*) AS n FROM user_emails')).toHaveLength(1)
    const again = await mig('repair', 'user_emails', '--forget')
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toContain('no repeatable migration named "user_emails"')
  })

  it('the warning about a removed file named by digits alone gives a repair command that forgets it', async () => {
    await write('repeatable/030.sql', dialect.defineView('id'))
    await unlink(join(project.path, 'migrations', 'repeatable', 'user_emails.sql'))
    expect((await mig('up')).exitCode).toBe(0)
    await unlink(join(project.path, 'migrations', 'repeatable', '030.sql'))
    const warned = await mig('up')
    const command = /then stop this warning with mig (repair \S+ --forget)\./.exec(warned.stderr)?.[1]
    expect(command).toBe('repair repeatable/030.sql --forget')
    const repaired = await mig(...(command as string).split(' '))
    expect(repaired.exitCode).toBe(0)
    expect(jsonOf(await mig('status', '--json')).repeatables).toEqual([])
  })

  it('drift compares the views repeatable migrations made when no versioned migration is applied', async () => {
    for (const file of ['0001_create_users.sql', '0002_add_email.sql', 'repeatable/user_emails.sql']) {
      await unlink(join(project.path, 'migrations', file))
    }
    await write('repeatable/one_row.sql', 'DROP VIEW IF EXISTS one_row;\nCREATE VIEW one_row AS SELECT 1 AS n;\n')
    expect((await mig('up')).exitCode).toBe(0)
    const clean = await mig('drift')
    expect(clean.exitCode).toBe(0)
    expect(clean.stdout).toContain(
      'No drift: the database holds exactly what the repeatable migrations (no versioned migration is applied) build.',
    )
    expect(jsonOf(await mig('drift', '--json'))).toMatchObject({ migration: null, repeatables: ['repeatable/one_row.sql'], drifted: false })
    await queryRows(database.driver(), 'DROP VIEW one_row')
    const drifted = await mig('drift')
    expect(drifted.exitCode).toBe(1)
    expect(drifted.stdout).toContain('view one_row missing in the database')
    expect(drifted.stdout).not.toContain('mig baseline')
  })

  it('status --fleet --exit-code counts a target whose repeatable migration is new or changed as pending, as status does', async () => {
    const fleet = ['--fleet', '--targets', database.env.DATABASE_URL as string, '--json', '--exit-code']
    const due = await mig('status', ...fleet)
    expect(due.exitCode).toBe(5)
    expect(jsonLines(due).targets).toMatchObject([{ pending: 2, repeatablesDue: 1 }])
    expect((await mig('up', '--fleet', '--targets', database.env.DATABASE_URL as string)).exitCode).toBe(0)
    const done = await mig('status', ...fleet)
    expect(done.exitCode).toBe(0)
    expect(jsonLines(done).summary.status.withPending).toBe(0)
    await write('repeatable/user_emails.sql', dialect.defineView('id, email'))
    const changed = await mig('status', ...fleet)
    expect(changed.exitCode).toBe(5)
    expect(jsonLines(changed).targets).toMatchObject([{ version: 2, pending: 0, repeatablesDue: 1 }])
    expect(jsonLines(changed).summary.status.withPending).toBe(1)
  })
})
