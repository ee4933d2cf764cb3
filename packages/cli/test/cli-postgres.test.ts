import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { holdMigrationLock } from '@mig/core/testing'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { postgresHistory, postgresTables, queryRows } from './database-state.ts'
import { jsonOf, type MigRun, runMig, SQL, temporaryDirectory } from './run-mig.ts'

let testDatabase: TestDatabase
let project: { path: string; remove: () => Promise<void> }
/** The test database's URL, logged in as a role with a password that must never be printed. */
let url: string
const password = `pw-${randomBytes(8).toString('hex')}`
const role = `mig_cli_${randomBytes(4).toString('hex')}`
const runs: MigRun[] = []

async function mig(...args: string[]): Promise<MigRun> {
  const run = await runMig(args, { cwd: project.path, env: { DATABASE_URL: url } })
  runs.push(run)
  return run
}

beforeAll(async () => {
  testDatabase = await createTestDatabase(inject('postgresUrl'))
  await queryRows(postgresDriver({ connectionString: inject('postgresUrl') }), `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`)
  await queryRows(postgresDriver({ connectionString: inject('postgresUrl') }), `ALTER DATABASE ${testDatabase.name} OWNER TO ${role}`)
  const withPassword = new URL(testDatabase.url)
  withPassword.username = role
  withPassword.password = password
  url = withPassword.toString()
  project = await temporaryDirectory('postgres')
  expect((await mig('init')).exitCode).toBe(0)
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
  await writeFile(join(project.path, 'migrations', '0002_add_email.sql'), SQL.addEmail)
})

afterAll(async () => {
  await project?.remove()
  await testDatabase?.drop()
  await queryRows(postgresDriver({ connectionString: inject('postgresUrl') }), `DROP ROLE IF EXISTS ${role}`).catch(() => {})
})

describe('mig against PostgreSQL', () => {
  it('up --dry-run prints the SQL and creates not even the history table', async () => {
    const plan = jsonOf(await mig('up', '--dry-run', '--json'))
    expect(plan.migrations.map((migration: { sql: string }) => migration.sql)).toEqual([
      'CREATE TABLE users (id INTEGER PRIMARY KEY);',
      'ALTER TABLE users ADD COLUMN email TEXT;',
    ])
    expect(await postgresTables(testDatabase.url)).toEqual([])
  })

  it('applies, reports, validates, reverts and redoes migrations', async () => {
    const up = await mig('up')
    expect(up.exitCode).toBe(0)
    expect(up.stdout).toContain('Applied 2 migrations')
    expect(await postgresTables(testDatabase.url)).toEqual(['mig_migrations', 'users'])
    expect(await postgresHistory(testDatabase.url)).toEqual([
      { version: 1, state: 'applied' },
      { version: 2, state: 'applied' },
    ])
    const status = jsonOf(await mig('status', '--json'))
    expect(status.summary).toMatchObject({ total: 2, applied: 2, pending: 0 })
    expect(status.database).toContain(`${role}:***@`)
    expect((await mig('status')).stdout).toContain(`${role}:***@`)
    expect((await mig('validate')).exitCode).toBe(0)
    expect(jsonOf(await mig('redo', '--json'))).toMatchObject({ reverted: [{ version: 2 }], applied: [{ version: 2 }] })
    expect(jsonOf(await mig('down', '--json')).migrations).toMatchObject([{ version: 2 }])
    expect(await postgresHistory(testDatabase.url)).toEqual([{ version: 1, state: 'applied' }])
    expect((await mig('status', '--exit-code')).exitCode).toBe(5)
    expect((await mig('up')).exitCode).toBe(0)
  })

  it('keeps the history table in the schema given by --schema, and baselines into it', async () => {
    const run = jsonOf(await mig('baseline', '--to', '2', '--force', '--schema', 'audit', '--json'))
    expect(run.migrations).toHaveLength(2)
    expect(await postgresTables(testDatabase.url, 'audit')).toEqual(['mig_migrations'])
    expect(await postgresHistory(testDatabase.url, 'audit.mig_migrations')).toEqual([
      { version: 1, state: 'baselined' },
      { version: 2, state: 'baselined' },
    ])
  })

  it('a migration that fails outside a transaction is refused until repaired', async () => {
    await writeFile(
      join(project.path, 'migrations', '0003_index.sql'),
      '-- mig:no-transaction\n-- mig:up\nCREATE INDEX CONCURRENTLY users_email ON users (email);\nSELECT no_such_function();\n-- mig:down\nDROP INDEX CONCURRENTLY users_email;\n',
    )
    const failed = await mig('up', '--json')
    expect(failed.exitCode).toBe(1)
    expect(jsonOf(failed).error).toMatchObject({ code: 'MIG_MIGRATION_FAILED', rolledBack: false, statement: 'SELECT no_such_function();' })
    expect(jsonOf(failed).error.message).toContain(
      'Finish or undo 0003_index.sql by hand, then run `mig repair 3 --applied` or `mig repair 3 --rolled-back`.',
    )
    expect((await mig('up')).exitCode).toBe(3)
    expect(jsonOf(await mig('repair', '3', '--applied', '--json')).resolution).toBe('applied')
    expect(await postgresHistory(testDatabase.url)).toContainEqual({ version: 3, state: 'applied' })
    expect((await mig('status', '--exit-code')).exitCode).toBe(0)
  })

  it('a code migration whose awaited query fails names the line of that call, though the error came from the connection', async () => {
    const file = join(project.path, 'migrations', '0004_backfill.ts')
    await writeFile(
      file,
      "type Context = { run: (sql: string) => Promise<void>; query: (sql: string, params: unknown[]) => Promise<unknown[]> }\n\nexport async function up({ run, query }: Context): Promise<void> {\n  await run('CREATE TABLE tags (id INTEGER)')\n  await query('INSERT INTO missing_table VALUES ($1)', [1])\n}\n",
    )
    try {
      const run = await mig('up', '--json')
      expect(run.exitCode).toBe(1)
      expect(jsonOf(run).error).toMatchObject({
        code: 'MIG_MIGRATION_FAILED',
        message: expect.stringMatching(/^Migration 0004_backfill\.ts:5:\d+ failed: relation "missing_table" does not exist/),
        position: { line: 5 },
        statement: 'INSERT INTO missing_table VALUES ($1)',
        rolledBack: true,
      })
      expect(await postgresTables(testDatabase.url)).not.toContain('tags')
      expect((await postgresHistory(testDatabase.url)).map((row) => row.version)).not.toContain(4)
    } finally {
      await rm(file)
    }
  })

  it('exits 4 when another run holds the lock past the lock timeout', async () => {
    const holder = await holdMigrationLock(postgresDriver({ connectionString: testDatabase.url }))
    try {
      const run = await mig('down', '--lock-timeout', '1', '--json')
      expect(run.exitCode).toBe(4)
      expect(jsonOf(run).error.code).toBe('MIG_LOCK_TIMEOUT')
    } finally {
      await holder.release()
    }
    expect(await postgresHistory(testDatabase.url)).toHaveLength(3)
  })

  it('exits 6 when the database cannot be reached', async () => {
    const unreachable = new URL(url)
    unreachable.port = '1'
    const run = await mig('status', '--url', unreachable.toString(), '--json')
    expect(run.exitCode).toBe(6)
    expect(jsonOf(run).error.code).toBe('MIG_DATABASE_ERROR')
    const wrongDatabase = new URL(url)
    wrongDatabase.pathname = '/no_such_database_here'
    const human = await mig('up', '--url', wrongDatabase.toString())
    expect(human.exitCode).toBe(6)
    expect(human.stderr).toContain('no_such_database_here')
  })

  it('db create and db drop refuse a database name PostgreSQL would cut to 63 bytes, and leave the database it names alone', async () => {
    const server = postgresDriver({ connectionString: inject('postgresUrl') })
    // A database whose name is exactly 63 bytes: what both longer names below are cut to.
    const kept = `mig_cli_long_${randomBytes(4).toString('hex')}_`.padEnd(63, 'x')
    await queryRows(server, `CREATE DATABASE ${kept}`)
    try {
      const longer = (suffix: string) => {
        const address = new URL(url)
        address.pathname = `/${kept}_${suffix}`
        return address.toString()
      }
      const create = await mig('db', 'create', '--url', longer('first'), '--json')
      expect(create.exitCode).toBe(2)
      expect(jsonOf(create).error).toMatchObject({ code: 'MIG_INVALID_OPTIONS', message: expect.stringContaining('69 bytes long') })
      const drop = await mig('db', 'drop', '--yes', '--url', longer('second'))
      expect(drop.exitCode).toBe(2)
      expect(drop.stderr).toContain('Use a name of at most 63 bytes')
      expect(await queryRows(server, 'SELECT datname FROM pg_database WHERE datname = $1', [kept])).toEqual([{ datname: kept }])
    } finally {
      await queryRows(server, `DROP DATABASE IF EXISTS ${kept}`)
    }
  })

  it('refuses a URL written as key/value pairs, or without its scheme, without printing its password', async () => {
    const { host, port, pathname } = new URL(url)
    const database = pathname.slice(1)
    const written = [
      `host=${host} port=${port} user=${role} password=${password} dbname=${database}`,
      `host=${host} user=${role} password = '${password} x' dbname=${database}`,
      `${role}:${password}@${host}:${port}/${database}`,
      `postgres:/${role}:${password}@${host}:${port}/${database}`,
    ]
    for (const given of written) {
      for (const run of [await mig('status', '--url', given), await mig('status', '--json', '--url', given)]) {
        expect(run.exitCode).toBe(2)
        expect(`${run.stdout}${run.stderr}`).not.toContain(password)
      }
    }
  })

  it('refuses rows pasted from pg_dump in up, its dry run, plan and validate, before lint and before anything runs', async () => {
    const file = join(project.path, 'migrations', '0009_user_rows.sql')
    await writeFile(file, '-- mig:up\nCREATE TABLE teams (id int);\nCOPY public.users (id) FROM stdin;\n7\n8\n\\.\n')
    const history = await postgresHistory(testDatabase.url)
    try {
      for (const command of [['up'], ['up', '--dry-run'], ['plan'], ['validate']]) {
        const refused = await mig(...command)
        expect(refused.exitCode).toBe(2)
        expect(refused.stderr).toContain(
          'Error MIG_INVALID_MIGRATION: 0009_user_rows.sql:3: COPY … FROM STDIN in the up section cannot run in a migration: psql sends the rows written below it',
        )
        expect(refused.stderr).not.toContain('syntax error')
      }
      expect(await postgresHistory(testDatabase.url)).toEqual(history)
      expect(await postgresTables(testDatabase.url)).not.toContain('teams')
    } finally {
      await rm(file)
    }
  })

  it('never prints the password, in any output of any command above', () => {
    expect(runs.length).toBeGreaterThan(15)
    for (const run of runs) {
      expect(run.stdout).not.toContain(password)
      expect(run.stderr).not.toContain(password)
    }
  })
})
