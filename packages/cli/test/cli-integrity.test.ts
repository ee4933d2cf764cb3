import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { queryRows, sqliteTables } from './database-state.ts'
import { BUILT_BIN, jsonOf, runMig, SQL, temporaryDirectory } from './run-mig.ts'

let project: string
let removeProject: () => Promise<void>

const mig = (...args: string[]) => runMig(args, { cwd: project })
const write = (file: string, text: string) => writeFile(join(project, 'migrations', file), text)

beforeEach(async () => {
  const directory = await temporaryDirectory('integrity')
  project = directory.path
  removeProject = directory.remove
  await mkdir(join(project, 'migrations'))
  await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', dir: 'migrations' }))
})

afterEach(() => removeProject())

describe('read-only commands', () => {
  it('status, validate and up --dry-run never create the SQLite file, and say that it does not exist', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    for (const args of [['status'], ['validate'], ['up', '--dry-run'], ['status', '--json']]) {
      const run = await mig(...args, '--url', 'sqlite:./mistyped.db')
      expect(run.exitCode).toBe(0)
      expect(run.stderr).toMatch(/The SQLite database .*mistyped\.db does not exist, so this shows an empty database and creates no file/)
    }
    expect(existsSync(join(project, 'mistyped.db'))).toBe(false)
    expect(jsonOf(await mig('status', '--json', '--url', 'sqlite:./mistyped.db')).summary.pending).toBe(1)
  })

  it('baseline, repair, down, redo, dump and drift refuse a SQLite file that does not exist and name the fix; none of them, nor lint, creates it', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const commands = [
      ['baseline'],
      ['baseline', '--to', '1', '--force'],
      ['repair', '1', '--applied'],
      ['down'],
      ['down', '--missing'],
      ['redo'],
    ]
    for (const args of [...commands, ['dump'], ['drift']]) {
      const run = await mig(...args, '--url', 'sqlite:./mistyped.db')
      expect(run.exitCode).toBe(6)
      expect(run.stderr).toMatch(/The SQLite database .*mistyped\.db does not exist, so mig created nothing\./)
      expect(run.stderr).toContain('Hint: Check the path in the URL. For a new database, mig up creates the file')
      expect((await readdir(project)).sort()).toEqual(['mig.config.json', 'migrations'])
    }
    const json = jsonOf(await mig('baseline', '--json', '--url', 'sqlite:./mistyped.db'))
    expect(json).toMatchObject({ ok: false, command: 'baseline', error: { code: 'MIG_DATABASE_ERROR', sqlState: 'SQLITE_CANTOPEN' } })
    expect((await mig('dump', '--from-migrations', '--url', 'sqlite:./mistyped.db')).stdout).toContain('CREATE TABLE users')
    const lint = await mig('lint', '--url', 'sqlite:./mistyped.db')
    expect(lint.exitCode).toBe(0)
    expect(lint.stderr).toMatch(/mistyped\.db does not exist, so this shows an empty database and creates no file/)
    expect((await readdir(project)).sort()).toEqual(['mig.config.json', 'migrations'])
    expect((await mig('up', '--url', 'sqlite:./mistyped.db')).exitCode).toBe(0)
    expect(await sqliteTables(join(project, 'mistyped.db'))).toContain('users')
  })
})

describe('secrets', () => {
  it('a PostgreSQL password with unescaped @ and / is refused with the fix and masked whole, in text and JSON', async () => {
    for (const format of [[], ['--json']]) {
      const run = await mig('status', ...format, '--url', 'postgres://u:ab@cd:ef/gh@127.0.0.1/db')
      expect(run.exitCode).toBe(2)
      const output = run.stdout + run.stderr
      expect(output).toContain('postgres://u:***@127.0.0.1/db')
      expect(output).toMatch(/Percent-encode the password/)
      expect(output).not.toMatch(/ab@|cd:ef|\/gh/)
    }
  })
})

describe('--json stays one document', () => {
  it('when a code migration writes to the console, which goes to stderr', async () => {
    await write(
      '0001_noisy.mjs',
      "export async function up(context) {\n  console.log('backfilled 3 rows')\n  await context.run('CREATE TABLE noisy (id INTEGER)')\n}\n",
    )
    const run = await mig('up', '--json')
    expect(run.exitCode).toBe(0)
    expect(jsonOf(run)).toMatchObject({ ok: true, command: 'up', migrations: [{ file: '0001_noisy.mjs' }] })
    expect(run.stderr).toContain('backfilled 3 rows')
  })

  it('when a third Ctrl-C quits at once', async () => {
    await write(
      '0001_slow.mjs',
      "export async function up() {\n  console.log('started')\n  await new Promise((resolve) => setTimeout(resolve, 60_000))\n}\n",
    )
    const run = await new Promise<{ exitCode: number; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BUILT_BIN, 'up', '--json'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
      })
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk
        if (chunk.includes('started')) child.kill('SIGINT')
        if (chunk.includes('Send it again')) child.kill('SIGINT')
        if (chunk.includes('Send it once more')) child.kill('SIGINT')
      })
      child.on('error', reject)
      child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout }))
      void stderr
    })
    expect(run.exitCode).toBe(130)
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      error: { code: 'MIG_ABORTED', message: expect.stringMatching(/^Interrupted three times/) },
    })
  })
})

describe('files mig cannot read', () => {
  it('an unreadable migration file is refused with its name and the fix, and nothing runs', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_add_email.sql', SQL.addEmail)
    await chmod(join(project, 'migrations', '0002_add_email.sql'), 0o000)
    // Root reads any file, so runMig drops that power (unprivileged).
    const run = await runMig(['up'], { cwd: project, unprivileged: true })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(
      '0002_add_email.sql: cannot be read: permission denied. Give the user running mig read access to it (chmod a+r).',
    )
    const json = jsonOf(await runMig(['up', '--json'], { cwd: project, unprivileged: true }))
    expect(json.error).toMatchObject({ code: 'MIG_INVALID_MIGRATION', file: '0002_add_email.sql' })
    expect(existsSync(join(project, 'app.db')) ? await sqliteTables(join(project, 'app.db')) : []).not.toContain('users')
  })
})

describe('what the output says happened', () => {
  it('--single-transaction down --step 2 whose second revert fails says the first is still applied', async () => {
    await write('0001_breaks_on_down.sql', '-- mig:up\nCREATE TABLE kept (id INTEGER);\n-- mig:down\nDROP TABLE missing_table;\n')
    await write('0002_oops.sql', '-- mig:up\nCREATE TABLE oops (id INTEGER);\n-- mig:down\nDROP TABLE oops;\n')
    expect((await mig('up')).exitCode).toBe(0)
    const run = await mig('--single-transaction', 'down', '--step', '2')
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/reverted\s+0002_oops\.sql \(.*, commits with the run\)/)
    expect(run.stderr).toMatch(/0002_oops\.sql, reverted before it in that transaction, was rolled back too and is still applied/)
    expect(await sqliteTables(join(project, 'app.db'))).toEqual(expect.arrayContaining(['kept', 'oops']))
  })

  it('a COMMIT in a transactional migration is refused with the file, line and fix, and nothing runs', async () => {
    await write('0001_wrapped.sql', '-- mig:up\nBEGIN;\nCREATE TABLE t (id INTEGER);\nCOMMIT;\n')
    const run = await mig('up', '--json')
    expect(run.exitCode).toBe(2)
    expect(jsonOf(run).error).toMatchObject({ code: 'MIG_INVALID_MIGRATION', file: '0001_wrapped.sql', line: 2 })
    expect(await sqliteTables(join(project, 'app.db'))).not.toContain('t')
  })

  it('status reports a history row it cannot read as unreadable, never an untyped error', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    expect((await mig('up')).exitCode).toBe(0)
    const driver = sqliteDriver({ filename: join(project, 'app.db') })
    await queryRows(driver, 'CREATE TABLE mig_migrations_copy AS SELECT * FROM mig_migrations')
    await queryRows(driver, 'DROP TABLE mig_migrations')
    await queryRows(driver, 'CREATE TABLE mig_migrations AS SELECT * FROM mig_migrations_copy')
    await queryRows(driver, "UPDATE mig_migrations SET applied_at = 'not a time', state = 'running'")
    const text = await mig('status')
    expect(text.exitCode).toBe(0)
    expect(text.stdout).toMatch(/unreadable\s+0001_create_users\.sql\s+.*state "running" is not one mig writes/)
    const json = jsonOf(await mig('status', '--json'))
    expect(json.migrations[0]).toMatchObject({ state: 'unreadable', problem: 'unreadable', appliedAt: null })
    expect(jsonOf(await mig('up', '--json')).error.code).toBe('MIG_UNREADABLE_HISTORY')
  })
})

describe('history that matches the files', () => {
  it('a branch merge that replaces an applied file is named as a different migration, and repair will not accept it', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_branch_a.sql', '-- mig:up\nCREATE TABLE a (id INTEGER);\n-- mig:down\nDROP TABLE a;\n')
    expect((await mig('up')).exitCode).toBe(0)
    await import('node:fs/promises').then(({ rename }) =>
      rename(join(project, 'migrations', '0002_branch_a.sql'), join(project, 'migrations', '0002_branch_b.sql')),
    )
    await write('0002_branch_b.sql', '-- mig:up\nCREATE TABLE b (id INTEGER);\n-- mig:down\nDROP TABLE b;\n')
    const run = await mig('up', '--json')
    expect(run.exitCode).toBe(3)
    expect(jsonOf(run).error).toMatchObject({
      code: 'MIG_REPLACED_MIGRATION',
      replacements: [{ applied: { file: '0002_branch_a.sql' }, file: { file: '0002_branch_b.sql' } }],
    })
    const repair = await mig('repair', '2', '--accept-checksum')
    expect(repair.exitCode).toBe(2)
    expect(repair.stderr).toMatch(/was replaced by 0002_branch_b\.sql, a different migration whose SQL never ran here/)
    expect((await mig('status')).stdout).toMatch(/0002_branch_a\.sql.*a different migration, 0002_branch_b\.sql, now holds its version/)
  })

  /** Applies 0001 and `file`, then puts 0002_branch_b.sql in its place, as a merge of another branch would. */
  async function replaceApplied(file: string, text: string): Promise<void> {
    await write('0001_create_users.sql', SQL.createUsers)
    await write(file, text)
    expect((await mig('up')).exitCode).toBe(0)
    await rm(join(project, 'migrations', file))
    await write('0002_branch_b.sql', '-- mig:up\nCREATE TABLE b (id INTEGER);\n-- mig:down\nDROP TABLE b;\n')
  }

  it('status counts a replaced migration as replaced, not missing, in its summary line and in JSON', async () => {
    await replaceApplied('0002_branch_a.sql', '-- mig:up\nCREATE TABLE a (id INTEGER);\n-- mig:down\nDROP TABLE a;\n')
    const text = await mig('status')
    expect(text.stdout).toContain('2 migrations: 2 applied, 0 pending, 1 replaced.')
    expect(text.stdout).not.toMatch(/\d missing|no file/)
    expect(text.stdout).toMatch(/An applied migration shares its version with a different file now \(after a merge\?\): .*mig renumber/)
    const json = jsonOf(await mig('status', '--json'))
    expect(json.migrations[1]).toMatchObject({ file: '0002_branch_a.sql', replacedBy: '0002_branch_b.sql', problem: 'replaced' })
    expect(json.summary).toMatchObject({ missing: 0, replaced: 1, problems: 1 })
  })

  it('status offers down --missing for a replaced migration only when history recorded its down SQL, not for a code migration', async () => {
    await replaceApplied('0002_seed.mjs', 'export async function up(context) { await context.run("INSERT INTO users (id) VALUES (1)") }\n')
    const text = await mig('status')
    expect(text.stdout).toContain(
      'An applied migration shares its version with a different file now (after a merge?): give that file a later version with mig renumber.',
    )
    expect(text.stdout).not.toContain('mig down --missing')
  })

  it('mig create then up keeps the empty migration pending with a warning; once written it applies, and redo picks up edits', async () => {
    expect((await mig('create', 'add_users')).exitCode).toBe(0)
    const empty = await mig('up')
    expect(empty.exitCode).toBe(0)
    expect(empty.stderr).toMatch(/0001_add_users\.sql: its up section holds no SQL yet, so it stays pending/)
    expect(empty.stdout).toMatch(/Nothing to apply \(checked in \d+ ms\); 1 migration still pending\./)
    expect(jsonOf(await mig('up', '--json'))).toMatchObject({ migrations: [], pending: 1 })
    expect(jsonOf(await mig('status', '--json')).migrations[0].state).toBe('pending')
    await write('0001_add_users.sql', '-- mig:up\nCREATE TABLE users (id INTEGER);\n-- mig:down\nDROP TABLE users;\n')
    expect((await mig('up')).exitCode).toBe(0)
    await write('0001_add_users.sql', '-- mig:up\nCREATE TABLE members (id INTEGER);\n-- mig:down\nDROP TABLE members;\n')
    const redo = await mig('redo')
    expect(redo.exitCode).toBe(0)
    expect(redo.stdout).toContain('Redid 0001_add_users.sql')
    const tables = await sqliteTables(join(project, 'app.db'))
    expect(tables).toContain('members')
    expect(tables).not.toContain('users')
  })

  it('a 20-digit version is applied and shown exactly, as digits in JSON', async () => {
    await write('20210410175418000001_first.sql', SQL.createUsers)
    await write('20210410175418000002_second.sql', SQL.addEmail)
    const first = await mig('up', '--to', '20210410175418000001')
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toMatch(/Applied 1 migration in .*; 1 migration still pending\./)
    const status = jsonOf(await mig('status', '--json'))
    expect(status.migrations.map((migration: { version: unknown; state: string }) => [migration.version, migration.state])).toEqual([
      ['20210410175418000001', 'applied'],
      ['20210410175418000002', 'pending'],
    ])
  })
})
