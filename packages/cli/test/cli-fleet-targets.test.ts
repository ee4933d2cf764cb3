import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { redactUrl } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { globFiles } from '../src/fleet-glob.ts'
import { queryRows } from './database-state.ts'
import { jsonLines, onServer, runFleetMig, sqliteVersion } from './fleet-support.ts'
import { SQL, temporaryDirectory } from './run-mig.ts'

let project: { path: string; remove: () => Promise<void> }
let database: TestDatabase

const mig = (args: string[], stdin?: string) => runFleetMig(args, { cwd: project.path, stdin })
const tenant = (name: string) => join(project.path, 'tenants', name)

beforeAll(async () => {
  project = await temporaryDirectory('fleet-targets')
  await mkdir(join(project.path, 'migrations'))
  await mkdir(join(project.path, 'tenants', 'eu'), { recursive: true })
  await mkdir(join(project.path, 'tenants', 'us'), { recursive: true })
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
  await writeFile(join(project.path, 'migrations', '0002_add_email.sql'), SQL.addEmail)
  for (const name of ['eu/a.db', 'eu/b.db', 'us/c.db', 'us/.hidden.db', 'us/notes.txt']) await writeFile(tenant(name), '')
  database = await createTestDatabase(inject('postgresUrl'))
  await onServer(database.url, ['CREATE SCHEMA tenant_1', 'CREATE SCHEMA tenant_2', 'CREATE SCHEMA "Tenant_3"', 'CREATE SCHEMA billing'])
})

afterAll(async () => {
  await database?.drop()
  await project?.remove()
})

describe('fleet targets', () => {
  it('a glob matches files by segment, keeps the path as written, and skips dot files', async () => {
    const found: string[] = []
    for await (const path of globFiles('./tenants/*/[a-c].db', project.path)) found.push(path)
    expect(found.sort()).toEqual(['./tenants/eu/a.db', './tenants/eu/b.db', './tenants/us/c.db'])
    const absolute: string[] = []
    for await (const path of globFiles(`${project.path}/tenants/us/*`, '/')) absolute.push(path)
    expect(absolute.sort()).toEqual([`${project.path}/tenants/us/c.db`, `${project.path}/tenants/us/notes.txt`])
    const none: string[] = []
    for await (const path of globFiles('./missing/*.db', project.path)) none.push(path)
    expect(none).toEqual([])
  })

  it("a glob skips SQLite's journal, WAL and shared-memory files and mig's lock files beside a database", async () => {
    await mkdir(tenant('plain'))
    for (const name of ['x', 'x-journal', 'x-wal', 'x-shm', 'x.history.lock', 'lone-wal']) await writeFile(tenant(`plain/${name}`), '')
    const found: string[] = []
    for await (const path of globFiles('./tenants/plain/*', project.path)) found.push(path)
    expect(found.sort()).toEqual(['./tenants/plain/lone-wal', './tenants/plain/x'])

    await mkdir(tenant('bare'))
    await writeFile(tenant('bare/a'), '')
    const first = await mig(['up', '--fleet', '--targets', 'sqlite:./tenants/bare/*', '--json'])
    expect(jsonLines(first).targets.map((line) => line.target)).toEqual(['sqlite:./tenants/bare/a'])
    expect(existsSync(tenant('bare/a.mig_migrations.lock'))).toBe(true)
    const again = await mig(['up', '--fleet', '--targets', 'sqlite:./tenants/bare/*', '--json'])
    expect(jsonLines(again).targets.map((line) => line.target)).toEqual(['sqlite:./tenants/bare/a'])
    expect(existsSync(tenant('bare/a.mig_migrations.lock.mig_migrations.lock'))).toBe(false)
    expect(await sqliteVersion(tenant('bare/a'))).toBe(2)
  })

  it('a SQLite URL or glob keeps its ?busy_timeout= query, which is not a wildcard', async () => {
    const run = await mig(
      ['status', '--fleet', '--targets', '-', '--json'],
      'sqlite:./tenants/eu/[ab].db?busy_timeout=2000\nsqlite:./tenants/us/c.db?busy_timeout=100\n',
    )
    expect(run.exitCode).toBe(0)
    expect(
      jsonLines(run)
        .targets.map((line) => line.target)
        .sort(),
    ).toEqual([
      'sqlite:./tenants/eu/a.db?busy_timeout=2000',
      'sqlite:./tenants/eu/b.db?busy_timeout=2000',
      'sqlite:./tenants/us/c.db?busy_timeout=100',
    ])
  })

  it('a fleet that takes no target says so on stderr, and exits 0', async () => {
    const none = await mig(['up', '--fleet', '--targets', 'sqlite:./not-mounted/*.db', '--json'])
    expect(none.exitCode).toBe(0)
    expect(jsonLines(none).summary.fleet).toMatchObject({ done: 0, failed: 0 })
    expect(none.stderr).toContain('Warning: the fleet has no target: its targets matched nothing.')
    expect(existsSync(join(project.path, 'not-mounted'))).toBe(false)
    const schemas = await mig(['status', '--fleet', '--url', database.url, '--schemas', 'tenat_*'])
    expect(schemas.stderr).toContain('Warning: the fleet has no target')
  })

  it('reads URLs from standard input, skipping blank lines and comments', async () => {
    const run = await mig(
      ['up', '--fleet', '--targets', '-', '--json'],
      '# tenants\nsqlite:./tenants/eu/a.db\n\nsqlite:./tenants/us/c.db\n',
    )
    expect(
      jsonLines(run)
        .targets.map((line) => line.target)
        .sort(),
    ).toEqual(['sqlite:./tenants/eu/a.db', 'sqlite:./tenants/us/c.db'])
    expect(await sqliteVersion(tenant('us/c.db'))).toBe(2)
  })

  it('takes the targets of the config file, relative to it', async () => {
    await writeFile(join(project.path, 'mig.config.json'), JSON.stringify({ targets: ['sqlite:./tenants/eu/*.db'] }))
    const nested = join(project.path, 'tenants', 'us')
    const run = await runFleetMig(['status', '--fleet', '--json'], { cwd: nested })
    expect(
      jsonLines(run)
        .targets.map((line) => line.target)
        .sort(),
    ).toEqual(['sqlite:./tenants/eu/a.db', 'sqlite:./tenants/eu/b.db'])
  })

  it('takes URLs from a query on a control database, a page at a time', async () => {
    const control = join(project.path, 'control.db')
    await queryRows(sqliteDriver({ filename: control }), 'CREATE TABLE tenants (url TEXT, active INTEGER)')
    await queryRows(
      sqliteDriver({ filename: control }),
      "INSERT INTO tenants VALUES ('sqlite:./tenants/eu/b.db', 1), ('sqlite:./tenants/us/c.db', 0)",
    )
    const run = await mig([
      'up',
      '--fleet',
      '--url',
      'sqlite:./control.db',
      '--targets-query',
      'SELECT url FROM tenants WHERE active = 1;',
      '--json',
    ])
    expect(jsonLines(run).targets.map((line) => line.target)).toEqual(['sqlite:./tenants/eu/b.db'])
    const wrong = await mig(['up', '--fleet', '--url', 'sqlite:./control.db', '--targets-query', 'SELECT active FROM tenants', '--json'])
    expect(wrong.exitCode).toBe(2)
    expect(wrong.stdout).toContain('must return a column named url')
  })

  it('migrates the schemas of a PostgreSQL database matching a pattern, each with history in its own schema', async () => {
    const run = await mig(['up', '--fleet', '--url', database.url, '--schemas', '?enant_*', '--json'])
    const { targets, summary } = jsonLines(run)
    expect(summary.fleet).toMatchObject({ done: 3, failed: 0 })
    expect(targets.map((line) => line.target).sort()).toEqual(['Tenant_3', 'tenant_1', 'tenant_2'])
    const session = await (await import('@mig/postgres')).postgresDriver({ connectionString: database.url }).connect()
    try {
      const tables = await session.query<{ schema: string; table: string }>(
        "SELECT table_schema AS schema, table_name AS table FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
      )
      expect(tables).toEqual(
        ['Tenant_3', 'tenant_1', 'tenant_2'].flatMap((schema) => [
          { schema, table: 'mig_migrations' },
          { schema, table: 'users' },
        ]),
      )
    } finally {
      await session.close()
    }
    const status = await mig(['status', '--fleet', '--url', database.url, '--targets-query', "SELECT 'tenant_1' AS schema"])
    expect(status.stdout).toContain('1 target at 0002')
  })

  it('down refuses a tenant file that does not exist and creates none, as without --fleet; status reads it as empty', async () => {
    const run = await mig(['down', '--fleet', '--to', '0', '--targets', 'sqlite:./tenants/eu/gone.db', '--retries', '0', '--json'])
    expect(run.exitCode).toBe(1)
    expect(jsonLines(run).targets).toMatchObject([
      {
        target: 'sqlite:./tenants/eu/gone.db',
        error: { message: `The SQLite database ${tenant('eu/gone.db')} does not exist, so mig created nothing.` },
      },
    ])
    expect(existsSync(tenant('eu/gone.db'))).toBe(false)
    expect((await mig(['status', '--fleet', '--targets', 'sqlite:./tenants/eu/gone.db'])).exitCode).toBe(0)
    expect(existsSync(tenant('eu/gone.db'))).toBe(false)
  })

  it('a failing canary stops the fleet before the rest starts', async () => {
    await queryRows(sqliteDriver({ filename: tenant('eu/a.db') }), 'DROP TABLE users')
    await queryRows(sqliteDriver({ filename: tenant('eu/a.db') }), 'DELETE FROM mig_migrations WHERE version = 2')
    await writeFile(tenant('eu/later.db'), '')
    const run = await mig(
      ['up', '--fleet', '--targets', '-', '--canary', '1', '--keep-going'],
      'sqlite:./tenants/eu/a.db\nsqlite:./tenants/eu/later.db\n',
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('A canary target failed')
    expect(run.stdout).toContain('Fleet: 1 target in ')
    expect(run.stdout).toContain('Resume with: mig up --fleet --targets - --canary 1 --keep-going')
    expect(await sqliteVersion(tenant('eu/later.db'))).toBe(0)
  })

  it('a failure on the last target is resumed with --only: no target was left untaken', async () => {
    await writeFile(tenant('us/broken.db'), 'not a SQLite database, just text')
    const run = await mig(
      ['up', '--fleet', '--targets', '-', '--concurrency', '1'],
      'sqlite:./tenants/us/c.db\nsqlite:./tenants/us/broken.db\n',
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('done    1\n  failed  1\n')
    expect(run.stdout).not.toContain('Stopped after')
    expect(run.stdout).toContain('Resume with: mig up --fleet --targets - --concurrency 1 --only sqlite:./tenants/us/broken.db')
    const json = await mig(['up', '--fleet', '--targets', 'sqlite:./tenants/us/broken.db', '--json'])
    expect(jsonLines(json).summary.fleet).toMatchObject({
      failed: 1,
      stopped: null,
      resume: 'mig up --fleet --targets sqlite:./tenants/us/broken.db --json --only sqlite:./tenants/us/broken.db',
    })
  })

  it('--only names the ids that are not in the fleet, and refuses a list of which none is', async () => {
    const none = await mig(['up', '--fleet', '--targets', 'sqlite:./tenants/eu/*.db', '--only', 'tenants/eu/a.db', '--json'])
    expect(none.exitCode).toBe(2)
    expect(JSON.parse(none.stdout).error).toMatchObject({
      code: 'MIG_USAGE',
      message: expect.stringMatching(
        /^--only names 1 target not in the fleet: tenants\/eu\/a\.db\. Write each as the report prints it, such as sqlite:\.\/tenants\/eu\/\w+\.db\.$/,
      ),
    })
    const some = await mig([
      'status',
      '--fleet',
      '--targets',
      'sqlite:./tenants/eu/*.db',
      '--only',
      'sqlite:./tenants/eu/b.db,sqlite:./tenants/eu/zz.db',
      '--json',
    ])
    expect(some.exitCode).toBe(0)
    expect(jsonLines(some).targets.map((line) => line.target)).toEqual(['sqlite:./tenants/eu/b.db'])
    expect(some.stderr).toContain('Warning: --only names 1 target not in the fleet: sqlite:./tenants/eu/zz.db.')
  })

  it('the resume command names every unreachable PostgreSQL target whole', async () => {
    const closedPort = 'postgres://app@127.0.0.1:1/tenant'
    const noDatabase = Object.assign(new URL(database.url), { pathname: '/mig_no_such_tenant' }).toString()
    await writeFile(join(project.path, 'unreachable.txt'), `${closedPort}\n${noDatabase}\n`)
    const run = await mig(['up', '--fleet', '--targets', '@unreachable.txt', '--retries', '0', '--keep-going', '--json'])
    expect(run.exitCode).toBe(1)
    const { summary } = jsonLines(run)
    expect(summary.fleet).toMatchObject({ unreachable: 2, stopped: null })
    const only = /--only '?([^' ]+)'?$/.exec(summary.fleet.resume)?.[1]
    expect(only?.split(',').sort()).toEqual([closedPort, redactUrl(noDatabase)].sort())
    const retried = await mig(['up', '--fleet', '--targets', closedPort, '--retries', '1', '--retry-delay', '0.1'])
    expect(retried.stderr).toMatch(/unreachable postgres:\/\/app@127\.0\.0\.1:1\/tenant \(attempt 1\): .*[^.]; retrying in \d+ ms/)
  })

  it('status and validate --fleet count a migration another run is applying outside a transaction as running', async () => {
    await onServer(database.url, ['CREATE SCHEMA busy_1'])
    await mkdir(join(project.path, 'busy-migrations'))
    await writeFile(join(project.path, 'busy-migrations', '0001_create_users.sql'), SQL.createUsers)
    await writeFile(join(project.path, 'busy-migrations', '0002_wait.sql'), '-- mig:no-transaction\n-- mig:up\nSELECT pg_sleep(2);\n')
    const fleet = ['--fleet', '--url', database.url, '--schemas', 'busy_*', '--dir', 'busy-migrations', '--json']
    const sleeping = async () => {
      const rows = await queryRows<{ count: number }>(
        (await import('@mig/postgres')).postgresDriver({ connectionString: database.url }),
        "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'SELECT pg_sleep(2)%'",
      )
      return rows[0]?.count === 1
    }
    let checks: Promise<void> | undefined
    const check = async () => {
      while (!(await sleeping())) await new Promise((resolve) => setTimeout(resolve, 50))
      const status = await mig(['status', ...fleet, '--exit-code'])
      expect(status.exitCode).toBe(5)
      const { targets, summary } = jsonLines(status)
      expect(targets).toMatchObject([{ target: 'busy_1', version: 1, pending: 0, running: 1, problems: [] }])
      expect(summary.status.withPending).toBe(1)
      const validate = await mig(['validate', ...fleet])
      expect(jsonLines(validate).targets).toMatchObject([{ target: 'busy_1', valid: true, applied: 1, pending: 0, running: 1 }])
    }
    const applying = await runFleetMig(['up', ...fleet], {
      cwd: project.path,
      whileRunning: () => {
        checks = check()
        return checks
      },
    })
    await checks
    expect(applying.exitCode).toBe(0)
    expect((await mig(['status', ...fleet, '--exit-code'])).exitCode).toBe(0)
  })

  it('refuses flags that do not go together before touching any target', async () => {
    for (const args of [
      ['up', '--fleet', '--targets', 'sqlite:./x.db', '--schemas', 'a*'],
      ['up', '--fleet', '--dry-run', '--targets', 'sqlite:./x.db'],
      ['up', '--fleet', '--shard', '3/2', '--targets', 'sqlite:./x.db'],
      ['up', '--fleet', '--retry-delay', 'soon', '--targets', 'sqlite:./x.db'],
      ['up', '--fleet', '--only', ',', '--targets', 'sqlite:./x.db'],
      ['up', '--fleet', '--url', database.url, '--schemas', "x'; DROP"],
      ['up', '--fleet', '--url', 'sqlite:./y.db', '--targets', 'sqlite:./x.db'],
    ]) {
      const run = await mig([...args, '--json'])
      expect(run.exitCode, args.join(' ')).toBe(2)
    }
    const both = await mig(['up', '--fleet', '--url', 'sqlite:./y.db', '--targets', 'sqlite:./x.db'])
    expect(both.stderr).toContain("--url names one database, and this fleet's databases come from --targets")
    const elsewhere = await temporaryDirectory('fleet-none')
    try {
      const none = await runFleetMig(['up', '--fleet'], { cwd: elsewhere.path })
      expect(none.exitCode).toBe(2)
      expect(none.stderr).toContain('--fleet needs targets')
    } finally {
      await elsewhere.remove()
    }
  })
})
