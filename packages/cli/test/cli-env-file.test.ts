import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { postgresTables, queryRows, sqliteTables } from './database-state.ts'
import { jsonOf, runMig, SQL, temporaryDirectory } from './run-mig.ts'

let project: { path: string; remove: () => Promise<void> }

beforeEach(async () => {
  project = await temporaryDirectory('env-file')
  expect((await runMig(['init'], { cwd: project.path })).exitCode).toBe(0)
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
})

afterEach(() => project.remove())

const write = (file: string, text: string) => writeFile(join(project.path, file), text)

describe('.env and --env-file through the mig binary (SQLite)', () => {
  it('reads .env in the working directory over the config file, and the real environment wins over .env', async () => {
    await write('.env', '# this checkout\nexport DATABASE_URL="sqlite:./from-env.db"\n')
    expect((await runMig(['up'], { cwd: project.path })).exitCode).toBe(0)
    expect(await sqliteTables(join(project.path, 'from-env.db'))).toContain('users')
    expect(existsSync(join(project.path, 'app.db'))).toBe(false)

    const real = await runMig(['up', '--json'], { cwd: project.path, env: { DATABASE_URL: 'sqlite:./real.db' } })
    expect(real.exitCode).toBe(0)
    expect(await sqliteTables(join(project.path, 'real.db'))).toContain('users')
  })

  it('--env-file picks another file, and a missing one is an error that changes nothing', async () => {
    await write('.env', 'DATABASE_URL=sqlite:./from-env.db\n')
    await write('ci.env', "MIG_DATABASE_URL='sqlite:./from-ci.db'\n")
    expect((await runMig(['up', '--env-file', 'ci.env'], { cwd: project.path })).exitCode).toBe(0)
    expect(await sqliteTables(join(project.path, 'from-ci.db'))).toContain('users')
    expect(existsSync(join(project.path, 'from-env.db'))).toBe(false)

    const missing = await runMig(['up', '--env-file', 'staging.env', '--json'], { cwd: project.path })
    // Node 20 itself looks for a --env-file anywhere on its command line and exits 9 before mig
    // starts; a Node that leaves the script's arguments alone lets mig report it.
    if (missing.exitCode === 9) expect(missing.stderr).toContain('staging.env: not found')
    else {
      expect(missing.exitCode).toBe(2)
      expect(jsonOf(missing)).toMatchObject({
        ok: false,
        error: { code: 'MIG_CONFIG', message: expect.stringContaining('staging.env does not exist') },
      })
    }
    expect(existsSync(join(project.path, 'from-env.db'))).toBe(false)
  })

  it('a malformed .env stops the command before it touches the database, naming the file and line', async () => {
    await write('.env', 'DATABASE_URL=sqlite:./from-env.db\nMIG_TABLE="unclosed\n')
    const run = await runMig(['up'], { cwd: project.path })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('.env:2: the value of MIG_TABLE opens a double quote that is never closed')
    expect(existsSync(join(project.path, 'from-env.db'))).toBe(false)
    expect((await runMig(['help', 'up'], { cwd: project.path })).exitCode).toBe(0)
  })

  it('create and hash read MIG_DIR from --env-file as from .env', async () => {
    await write('ci.env', 'MIG_DIR=db/migrations\n')
    const create = await runMig(['create', 'add_tags', '--env-file', 'ci.env'], { cwd: project.path })
    expect(create.stderr).toBe('')
    expect(create.exitCode).toBe(0)
    expect(existsSync(join(project.path, 'db', 'migrations', '0001_add_tags.sql'))).toBe(true)
    expect((await runMig(['hash', '--env-file', 'ci.env'], { cwd: project.path })).exitCode).toBe(0)
    expect(existsSync(join(project.path, 'db', 'migrations', 'mig.sum'))).toBe(true)
    expect(existsSync(join(project.path, 'migrations', 'mig.sum'))).toBe(false)
  })

  it('a malformed .env does not stop the commands that read no variables', async () => {
    await write('.env', 'MIG_TABLE="unclosed\n')
    const version = await runMig(['--version'], { cwd: project.path })
    expect(version).toMatchObject({ exitCode: 0, stderr: '' })
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/)
    const completion = await runMig(['completion', 'bash'], { cwd: project.path })
    expect(completion.exitCode).toBe(0)
    expect(completion.stdout).toContain('complete -F _mig mig')
    const up = await runMig(['up'], { cwd: project.path })
    expect(up.exitCode).toBe(2)
    expect(await sqliteTables(join(project.path, 'app.db')).catch(() => [])).not.toContain('users')
  })
})

describe('.env through the mig binary (PostgreSQL)', () => {
  let database: TestDatabase

  beforeAll(async () => {
    database = await createTestDatabase(inject('postgresUrl'))
  })

  afterAll(async () => {
    await database?.drop()
  })

  it('takes the URL from .env and never prints its password', async () => {
    const password = 'env-file-secret-7f3a'
    const withPassword = new URL(database.url)
    // The role does not need a password on the test server; the point is that mig never shows it.
    withPassword.password = password
    await write('.env', `DATABASE_URL=${withPassword.toString()}\n`)
    const up = await runMig(['up'], { cwd: project.path })
    expect(up.exitCode).toBe(0)
    expect(await postgresTables(database.url)).toContain('users')
    const status = await runMig(['status'], { cwd: project.path })
    expect(status.stdout).toMatch(/Database: postgres(ql)?:\/\/[^ ]*\*\*\*@/)
    for (const run of [up, status]) expect(run.stdout + run.stderr).not.toContain(password)
    expect(await queryRows(postgresDriver({ connectionString: database.url }), 'SELECT COUNT(*)::int AS n FROM mig_migrations')).toEqual([
      { n: 1 },
    ])
  })
})
