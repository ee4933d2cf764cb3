// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are written ${name}, in plain strings on purpose
import { lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqliteHistory } from './database-state.ts'
import { jsonOf, runMig, SQL, temporaryDirectory } from './run-mig.ts'

let project: string
let removeProject: () => Promise<void>

const mig = (...args: string[]) => runMig(args, { cwd: project })
const write = (file: string, text: string) => writeFile(join(project, 'migrations', file), text)
const config = (extra: Record<string, unknown>) =>
  writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', dir: 'migrations', ...extra }))

/** SQLite accepts it on the empty table of this test, but refuses it once the table has a row. */
const ADD_REQUIRED = '-- mig:up\nALTER TABLE users ADD COLUMN plan TEXT NOT NULL;\n'

beforeEach(async () => {
  const directory = await temporaryDirectory('lint')
  project = directory.path
  removeProject = directory.remove
  expect((await mig('init')).exitCode).toBe(0)
  await write('0001_create_users.sql', SQL.createUsers)
  expect((await mig('up')).exitCode).toBe(0)
})

afterEach(() => removeProject())

describe('mig lint', () => {
  it('lints the pending migrations: file:line:column, rule, finding and recipe; exit 1 on errors', async () => {
    await write('0002_add_plan.sql', ADD_REQUIRED)
    const run = await mig('lint')
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('migrations/0002_add_plan.sql:2:30 error sqlite-add-column-refused: SQLite refuses this ADD COLUMN')
    expect(run.stdout).toContain('    ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT <constant>;')
    expect(run.stdout).toContain('1 error, 0 warnings in 1 migration.')
  })

  it('--json gives one document, --format github gives pull-request annotations', async () => {
    await write('0002_add_plan.sql', ADD_REQUIRED)
    const document = jsonOf(await mig('lint', '--json'))
    expect(document).toMatchObject({ ok: true, command: 'lint', dialect: 'sqlite', scope: 'pending', linted: 1, errors: 1, warnings: 0 })
    expect(document.findings[0]).toMatchObject({
      rule: 'sqlite-add-column-refused',
      path: 'migrations/0002_add_plan.sql',
      line: 2,
      column: 30,
    })
    const github = await mig('lint', '--format', 'github')
    expect(github.exitCode).toBe(1)
    expect(github.stdout).toMatch(
      /^::error file=migrations\/0002_add_plan\.sql,line=2,col=30,title=mig lint%3A sqlite-add-column-refused::SQLite refuses.*%0A/m,
    )
  })

  it('passes a clean plan, counts -- mig:allow lines, and lints everything with --all or named files', async () => {
    await write(
      '0002_add_plan.sql',
      `-- mig:up\n-- mig:allow sqlite-add-column-refused: users is empty in every environment\n${ADD_REQUIRED.slice(10)}`,
    )
    const run = await mig('lint')
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('No findings in 1 migration (1 allowed by -- mig:allow).')
    expect(jsonOf(await mig('lint', '--all', '--json'))).toMatchObject({ scope: 'all', linted: 2, errors: 0 })
    expect(jsonOf(await mig('lint', 'migrations/0001_create_users.sql', '--json'))).toMatchObject({ scope: 'files', linted: 1 })
    const unknown = await mig('lint', 'nope.sql', '--json')
    expect(unknown.exitCode).toBe(2)
  })

  it('lints a new or changed repeatable migration with the pending ones, by name too, and up refuses it', async () => {
    await mkdir(join(project, 'migrations', 'repeatable'))
    await write('repeatable/plan.sql', ADD_REQUIRED.slice(10))
    const run = await mig('lint')
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('migrations/repeatable/plan.sql:1:30 error sqlite-add-column-refused')
    expect(jsonOf(await mig('lint', 'migrations/repeatable/plan.sql', '--json'))).toMatchObject({ scope: 'files', linted: 1, errors: 1 })
    const up = await mig('up', '--json')
    expect(up.exitCode).toBe(1)
    expect(jsonOf(up).error).toMatchObject({ code: 'MIG_LINT_FAILED', findings: [{ file: 'repeatable/plan.sql' }] })
    await write('repeatable/plan.sql', 'DROP VIEW IF EXISTS user_ids;\nCREATE VIEW user_ids AS SELECT id FROM users;\n')
    expect((await mig('up')).exitCode).toBe(0)
    expect(jsonOf(await mig('lint', '--json'))).toMatchObject({ scope: 'pending', linted: 0 })
    expect(jsonOf(await mig('lint', '--all', '--json'))).toMatchObject({ linted: 2, errors: 0 })
  })

  it('lints PostgreSQL migrations with no database: --dialect, or a URL it cannot reach (then all of them)', async () => {
    await write('0002_index.sql', '-- mig:up\nCREATE INDEX users_email ON users (email);\n')
    const offline = await runMig(['lint', '--all', '--dialect', 'postgres', '--url', '', '--json'], { cwd: project })
    expect(jsonOf(offline)).toMatchObject({ dialect: 'postgres', errors: 1, findings: [{ rule: 'index-without-concurrently', line: 2 }] })
    const unreachable = await mig('lint', '--url', 'postgres://nobody:secret@127.0.0.1:1/none')
    expect(unreachable.exitCode).toBe(1)
    expect(unreachable.stderr).toContain('linting every migration')
    expect(unreachable.stdout + unreachable.stderr).not.toContain('secret')
    const unknownDialect = await runMig(['lint', '--url', ''], { cwd: project })
    expect(unknownDialect.exitCode).toBe(2)
    expect(unknownDialect.stderr).toContain('pass --dialect postgres or --dialect sqlite')
  })

  it('refuses an unknown rule in the config, with the list of rules', async () => {
    await config({ lint: { rules: { 'no-such-rule': 'off' } } })
    const run = await mig('lint', '--json')
    expect(run.exitCode).toBe(2)
    expect(jsonOf(run).error).toMatchObject({
      code: 'MIG_INVALID_OPTIONS',
      message: expect.stringContaining('unknown rule "no-such-rule"'),
    })
  })

  it('refuses a folder that mig.sum disagrees with, whatever it lints, as every reader of the migrations does', async () => {
    expect((await mig('hash')).exitCode).toBe(0)
    await write('0002_add_plan.sql', ADD_REQUIRED)
    for (const args of [['lint'], ['lint', '--all'], ['lint', '0001_create_users.sql'], ['lint', '--all', '--dialect', 'postgres']]) {
      const run = await mig(...args)
      expect(run.exitCode).toBe(3)
      expect(run.stderr).toContain('MIG_SUM_MISMATCH: mig.sum does not match the migrations folder: 0002_add_plan.sql is not in it.')
    }
    expect((await mig('hash')).exitCode).toBe(0)
    expect((await mig('lint', '--all')).exitCode).toBe(1)
  })
})

describe('lint before mig up', () => {
  it('refuses to apply a pending migration with an error finding, applies nothing, and says how to proceed', async () => {
    await write('0002_add_plan.sql', ADD_REQUIRED)
    await write('0003_create_posts.sql', SQL.createPosts)
    const run = await mig('up', '--json')
    expect(run.exitCode).toBe(1)
    expect(jsonOf(run).error).toMatchObject({
      code: 'MIG_LINT_FAILED',
      findings: [{ rule: 'sqlite-add-column-refused', file: '0002_add_plan.sql' }],
    })
    expect(run.stderr).toContain('migrations/0002_add_plan.sql:2:30 error sqlite-add-column-refused')
    expect(await sqliteHistory(join(project, 'app.db'))).toEqual([{ version: 1, state: 'applied' }])
    expect((await mig('up', '--no-lint')).exitCode).toBe(0)
    expect(await sqliteHistory(join(project, 'app.db'))).toHaveLength(3)
  })

  it('leaves no database file behind when it refuses the first run on a new SQLite database', async () => {
    await write('0002_wal.sql', '-- mig:up\nPRAGMA journal_mode = WAL;\n')
    const run = await mig('up', '--url', 'sqlite:./new.db')
    expect(run.stderr).toContain('MIG_LINT_FAILED')
    expect((await readdir(project)).filter((file) => file.startsWith('new.db'))).toEqual(['new.db.mig_migrations.lock'])
  })

  it('leaves no database file behind through a symlink whose target does not exist yet, and the first applied run makes it there', async () => {
    await mkdir(join(project, 'data'))
    await symlink(join('data', 'new.db'), join(project, 'new.db'))
    await write('0002_wal.sql', '-- mig:up\nPRAGMA journal_mode = WAL;\n')
    const refused = await mig('up', '--url', 'sqlite:./new.db')
    expect(refused.stderr).toContain('MIG_LINT_FAILED')
    expect(await readdir(join(project, 'data'))).toEqual(['new.db.mig_migrations.lock'])

    await write('0002_wal.sql', '-- mig:no-transaction\n-- mig:up\nPRAGMA journal_mode = WAL;\n')
    expect((await mig('up', '--url', 'sqlite:./new.db')).exitCode).toBe(0)
    expect((await lstat(join(project, 'new.db'))).isSymbolicLink()).toBe(true)
    expect(await sqliteHistory(join(project, 'data', 'new.db'))).toEqual([
      { version: 1, state: 'applied' },
      { version: 2, state: 'applied' },
    ])
    expect((await readdir(join(project, 'data'))).filter((file) => file.endsWith('.lock'))).toEqual(['new.db.mig_migrations.lock'])
  })

  it('up --dry-run shows the findings beside each migration', async () => {
    await write('0002_add_plan.sql', ADD_REQUIRED)
    const run = await mig('up', '--dry-run')
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(
      /-- 0002_add_plan\.sql \(up, in a transaction\)\nmigrations\/0002_add_plan\.sql:2:30 error sqlite-add-column-refused/,
    )
    expect(jsonOf(await mig('up', '--dry-run', '--json')).findings).toEqual([
      expect.objectContaining({ rule: 'sqlite-add-column-refused' }),
    ])
  })

  it('mig plan shows what up would apply, as up --dry-run does: findings beside each migration, --json too, nothing written', async () => {
    await write('0002_add_plan.sql', ADD_REQUIRED)
    await write('0003_create_posts.sql', SQL.createPosts)
    const plan = await mig('plan')
    expect(plan.exitCode).toBe(0)
    expect(plan.stdout).toMatch(
      /-- 0002_add_plan\.sql \(up, in a transaction\)\nmigrations\/0002_add_plan\.sql:2:30 error sqlite-add-column-refused: .*\n {4}ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT <constant>;\nALTER TABLE users ADD COLUMN plan TEXT NOT NULL;\n/,
    )
    expect(plan.stdout).toMatch(/-- 0003_create_posts\.sql \(up, in a transaction\)\nCREATE TABLE posts/)
    expect(plan.stdout).toBe((await mig('up', '--dry-run')).stdout)
    const { command, ...document } = jsonOf(await mig('plan', '--json'))
    expect(command).toBe('plan')
    expect(document).toMatchObject({ ok: true, dryRun: true, direction: 'up', migrations: [{ version: 2 }, { version: 3 }] })
    expect(document.findings).toEqual([
      expect.objectContaining({ rule: 'sqlite-add-column-refused', path: 'migrations/0002_add_plan.sql' }),
    ])
    expect({ ...jsonOf(await mig('up', '--dry-run', '--json')), command: 'plan' }).toEqual({ command, ...document })
    expect(await sqliteHistory(join(project, 'app.db'))).toEqual([{ version: 1, state: 'applied' }])
  })

  it('mig plan takes --step, --to and --no-lint as up does, and says when nothing is pending', async () => {
    await write('0002_add_plan.sql', ADD_REQUIRED)
    await write('0003_create_posts.sql', SQL.createPosts)
    expect(jsonOf(await mig('plan', '--step', '1', '--json')).migrations).toEqual([expect.objectContaining({ version: 2 })])
    expect(jsonOf(await mig('plan', '--to', '3', '--json')).migrations).toHaveLength(2)
    const unlinted = await mig('plan', '--no-lint')
    expect(unlinted.stdout).toContain('Dry run: 2 migrations would be applied. Nothing was written.')
    expect(unlinted.stdout).not.toContain('sqlite-add-column-refused')
    expect(jsonOf(await mig('plan', '--no-lint', '--json')).findings).toEqual([])
    expect((await mig('up', '--no-lint')).exitCode).toBe(0)
    expect((await mig('plan')).stdout).toContain('Dry run: nothing to apply.')
  })

  it('mig plan and up --dry-run with --single-transaction refuse a no-transaction migration, as the run does', async () => {
    await write('0002_vacuum.sql', '-- mig:no-transaction\n-- mig:up\nVACUUM;\n')
    for (const command of [['plan'], ['up', '--dry-run'], ['up']]) {
      const refused = await mig(...command, '--single-transaction')
      expect(refused.exitCode).toBe(2)
      expect(refused.stderr).toContain('(--single-transaction in the CLI) cannot include 0002_vacuum.sql')
    }
    expect(await sqliteHistory(join(project, 'app.db'))).toEqual([{ version: 1, state: 'applied' }])
  })

  it('the config lowers a rule to a warning (up applies and shows it) or turns lint off for up', async () => {
    await write('0002_add_plan.sql', ADD_REQUIRED)
    await config({ lint: { rules: { 'sqlite-add-column-refused': 'warning' } } })
    const warned = await mig('up')
    expect(warned.exitCode).toBe(0)
    expect(warned.stderr).toContain('warning sqlite-add-column-refused')
    await write('0003_add_code.sql', '-- mig:up\nALTER TABLE users ADD COLUMN code TEXT UNIQUE;\n')
    await config({ lint: false })
    const unlinted = await mig('up', '--json')
    expect(unlinted.stderr).toBe('')
    // SQLite itself refuses it: lint off means the runner finds out.
    expect(jsonOf(unlinted).error.code).toBe('MIG_MIGRATION_FAILED')
  })
})

describe('lint with placeholders', () => {
  // Line 2's values are shorter (`${table}`) and longer, over three lines (`${columns}`); line 3's
  // is longer, before the finding on that line; line 4's value is itself what lint finds.
  const LINE_3 = 'CREATE TABLE ${long_name} (id INTEGER); PRAGMA foreign_keys = OFF;'
  const FILLED = `-- mig:up\nCREATE TABLE \${table} (\${columns});\n${LINE_3}\n\${pragma};\n`
  const PLACEHOLDERS = {
    table: 't',
    columns: 'id INTEGER,\n  name TEXT,\n  note TEXT',
    long_name: 'a_table_whose_name_is_much_longer_than_its_placeholder',
    pragma: 'PRAGMA foreign_keys = ON',
  }
  const pragmaColumn = LINE_3.indexOf('PRAGMA') + 1

  beforeEach(async () => {
    await config({ placeholders: PLACEHOLDERS })
    await write('0002_placeholders.sql', FILLED)
  })

  it('mig lint names the line and column of the file as written, and a finding in a value at its placeholder', async () => {
    const run = await mig('lint')
    expect(run.stdout).toContain(`migrations/0002_placeholders.sql:3:${pragmaColumn} error sqlite-pragma-no-effect`)
    expect(run.stdout).toContain('migrations/0002_placeholders.sql:4:1 error sqlite-pragma-no-effect')
    const document = jsonOf(await mig('lint', '--json'))
    expect(document.findings.map(({ line, column }: { line: number; column: number }) => [line, column])).toEqual([
      [3, pragmaColumn],
      [4, 1],
    ])
  })

  it('lint before up names the file as written, on stderr and in the error', async () => {
    const run = await mig('up', '--json')
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain(`migrations/0002_placeholders.sql:3:${pragmaColumn} error sqlite-pragma-no-effect`)
    expect(run.stderr).toContain('migrations/0002_placeholders.sql:4:1 error sqlite-pragma-no-effect')
    const { error } = jsonOf(run)
    expect(error.code).toBe('MIG_LINT_FAILED')
    expect(error.findings.map(({ line, column }: { line: number; column: number }) => [line, column])).toEqual([
      [3, pragmaColumn],
      [4, 1],
    ])
  })
})
