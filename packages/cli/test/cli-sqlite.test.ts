import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { holdMigrationLock } from '@mig/core/testing'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { queryRows, sqliteHistory, sqliteTables } from './database-state.ts'
import { jsonOf, type MigRun, runMig, SQL, temporaryDirectory } from './run-mig.ts'

let project: string
let removeProject: () => Promise<void>
let database: string

const mig = (...args: string[]) => runMig(args, { cwd: project })
const write = (file: string, text: string) => writeFile(join(project, 'migrations', file), text)

beforeEach(async () => {
  const directory = await temporaryDirectory('sqlite')
  project = directory.path
  removeProject = directory.remove
  database = join(project, 'app.db')
  expect((await mig('init')).exitCode).toBe(0)
})

afterEach(() => removeProject())

describe('mig init and mig create', () => {
  it('init writes mig.config.json with a SQLite URL and a migrations folder, and refuses to overwrite it', async () => {
    expect(JSON.parse(await readFile(join(project, 'mig.config.json'), 'utf8'))).toEqual({ url: 'sqlite:./app.db', dir: 'migrations' })
    expect(existsSync(join(project, 'migrations'))).toBe(true)
    const again = await mig('init', '--json')
    expect(again.exitCode).toBe(2)
    expect(jsonOf(again)).toMatchObject({ ok: false, command: 'init', error: { code: 'MIG_FILE_EXISTS' } })
  })

  it('init names no URL in the config when the environment or .env gives one, which wins over the config anyway', async () => {
    const other = await temporaryDirectory('init-env')
    try {
      await writeFile(join(other.path, '.env'), 'DATABASE_URL=sqlite:./from-env.db\n')
      const init = await runMig(['init', '--json'], { cwd: other.path })
      expect(jsonOf(init)).toMatchObject({ ok: true, url: null, urlVariable: 'DATABASE_URL' })
      expect(JSON.parse(await readFile(join(other.path, 'mig.config.json'), 'utf8'))).toEqual({ dir: 'migrations' })
      await writeFile(join(other.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
      expect((await runMig(['up'], { cwd: other.path })).exitCode).toBe(0)
      expect(await sqliteTables(join(other.path, 'from-env.db'))).toContain('users')

      await rm(join(other.path, 'mig.config.json'))
      const typed = await runMig(['init', '--ts'], { cwd: other.path, env: { MIG_DATABASE_URL: 'sqlite:./other.db' } })
      expect(typed.stdout).toContain('The database URL comes from MIG_DATABASE_URL, so mig.config.ts names none.')
      expect(await readFile(join(other.path, 'mig.config.ts'), 'utf8')).not.toContain('url')
    } finally {
      await other.remove()
    }
  })

  it('init --ts writes a typed config that mig loads without a build step', async () => {
    const other = await temporaryDirectory('init-ts')
    try {
      const init = await runMig(['init', '--ts', '--url', 'sqlite:./typed.db'], { cwd: other.path })
      expect(init.exitCode).toBe(0)
      expect(await readFile(join(other.path, 'mig.config.ts'), 'utf8')).toContain("url: 'sqlite:./typed.db'")
      // The generated file imports defineConfig from @mig/cli, which this bare folder has not installed.
      await writeFile(
        join(other.path, 'mig.config.ts'),
        "const config: { url: string } = { url: 'sqlite:./typed.db' }\nexport default config\n",
      )
      await writeFile(join(other.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
      expect((await runMig(['up'], { cwd: other.path })).exitCode).toBe(0)
      expect(await sqliteTables(join(other.path, 'typed.db'))).toContain('users')
    } finally {
      await other.remove()
    }
  })

  it('create numbers migrations after the highest version, by timestamp on request, and writes code migrations', async () => {
    const first = jsonOf(await mig('create', 'create_users', '--json'))
    expect(first).toMatchObject({ ok: true, command: 'create', file: '0001_create_users.sql', version: 1, kind: 'sql' })
    expect(await readFile(join(project, 'migrations', '0001_create_users.sql'), 'utf8')).toBe('-- mig:up\n\n-- mig:down\n')
    expect(jsonOf(await mig('create', 'backfill', '--ts', '--json')).file).toBe('0002_backfill.ts')
    expect(jsonOf(await mig('create', 'cleanup', '--js', '--json')).file).toBe('0003_cleanup.mjs')
    await write('0041_jump.sql', SQL.createPosts)
    expect(jsonOf(await mig('create', 'after_jump', '--json')).file).toBe('0042_after_jump.sql')
    const stamped = jsonOf(await mig('create', 'add_index', '--timestamp', '--json'))
    expect(stamped.file).toMatch(/^\d{14}_add_index\.sql$/)
    expect(String(stamped.version)).toBe(stamped.file.slice(0, 14))
  })

  it('a code migration mig create wrote fails until it is written, so nothing is recorded as applied', async () => {
    for (const kind of ['--js', '--ts']) {
      const { file } = jsonOf(await mig('create', 'backfill', kind, '--json'))
      const run = await mig('up', '--json')
      expect(run.exitCode).toBe(1)
      expect(jsonOf(run).error).toMatchObject({ code: 'MIG_MIGRATION_FAILED', migration: { file }, rolledBack: true })
      expect(jsonOf(run).error.message).toContain('This migration is not written yet: write its up function')
      expect(await sqliteHistory(join(project, 'app.db'))).toEqual([])
      await rm(join(project, 'migrations', file))
    }
  })

  it('create --from-schema turns a hand-applied schema into 0001 with a derived down, and a no-transaction settings migration', async () => {
    await writeFile(
      join(project, 'schema.sql'),
      [
        'CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY, name TEXT NOT NULL);',
        'CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects (id));',
        'CREATE INDEX IF NOT EXISTS idx_tokens_project ON tokens (project_id);',
        'PRAGMA foreign_keys = ON;',
        'PRAGMA journal_mode = WAL;',
      ].join('\n'),
    )
    const run = await mig('create', 'initial_schema', '--from-schema', 'schema.sql', '--json')
    expect(run.exitCode).toBe(0)
    expect(jsonOf(run)).toMatchObject({
      file: '0001_initial_schema.sql',
      created: [{ file: '0001_initial_schema.sql' }, { file: '0002_initial_schema_settings.sql' }],
      connectionSettings: [{ statement: 'PRAGMA foreign_keys = ON;' }],
    })
    expect(run.stderr).toContain('Left out "PRAGMA foreign_keys = ON;"')
    const first = await readFile(join(project, 'migrations', '0001_initial_schema.sql'), 'utf8')
    expect(first).toContain('-- mig:up\nCREATE TABLE projects')
    expect(first).toContain('-- mig:down\nDROP TABLE "tokens";\nDROP TABLE "projects";\n')
    expect(first).not.toMatch(/PRAGMA|IF NOT EXISTS/)
    const settings = await readFile(join(project, 'migrations', '0002_initial_schema_settings.sql'), 'utf8')
    expect(settings).toMatch(/^-- .*\n-- mig:no-transaction\n-- mig:up\nPRAGMA journal_mode = WAL;/)
    expect(existsSync(database)).toBe(false)

    expect((await mig('up')).exitCode).toBe(0)
    expect(await sqliteTables(database)).toEqual(expect.arrayContaining(['projects', 'tokens']))
    expect((await mig('down', '--all')).exitCode).toBe(0)
    expect((await sqliteTables(database)).filter((table) => !table.startsWith('mig_'))).toEqual([])
  })

  it('create --from-schema refuses a schema that does not build, and a missing file', async () => {
    await writeFile(join(project, 'broken.sql'), 'CREATE INDEX i ON nowhere (x);')
    const broken = await mig('create', 'initial', '--from-schema', 'broken.sql')
    expect(broken.exitCode).toBe(2)
    expect(broken.stderr).toContain('The schema does not build on an empty database')
    expect((await mig('create', 'initial', '--from-schema', 'missing.sql')).exitCode).toBe(2)
    expect(await readdir(join(project, 'migrations'))).toEqual([])
  })

  it('create refuses a name that would not make a usable file name', async () => {
    const run = await mig('create', 'add users!')
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('is not a usable migration name')
    expect(await readdir(join(project, 'migrations'))).toEqual([])
  })
})

describe('mig up, down, redo and status', () => {
  beforeEach(async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_add_email.sql', SQL.addEmail)
    await write('0003_create_posts.sql', SQL.createPosts)
  })

  it('up applies every pending migration, one line each with its duration, and records them', async () => {
    const run = await mig('up')
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/applied\s+0001_create_users\.sql \(\d+ ms\)/)
    expect(run.stdout).toContain('Applied 3 migrations')
    expect(await sqliteTables(database)).toEqual(expect.arrayContaining(['users', 'posts', 'mig_migrations']))
    expect(await sqliteHistory(database)).toEqual([
      { version: 1, state: 'applied' },
      { version: 2, state: 'applied' },
      { version: 3, state: 'applied' },
    ])
    const again = jsonOf(await mig('up', '--json'))
    expect(again).toEqual({
      ok: true,
      command: 'up',
      database: expect.stringMatching(/^sqlite:/),
      dryRun: false,
      direction: 'up',
      migrations: [],
      durationMs: expect.any(Number),
      lockWaitMs: 0,
      pending: 0,
    })
  })

  it('up --json reports what it applied; --to and --step apply part of the plan', async () => {
    const step = jsonOf(await mig('up', '--step', '1', '--json'))
    expect(step).toMatchObject({
      ok: true,
      command: 'up',
      direction: 'up',
      migrations: [{ version: 1, name: 'create_users', file: '0001_create_users.sql' }],
    })
    expect(step.migrations[0].durationMs).toEqual(expect.any(Number))
    const to = jsonOf(await mig('up', '--to', '2', '--json'))
    expect(to.migrations.map((migration: { version: number }) => migration.version)).toEqual([2])
    expect(await sqliteHistory(database)).toHaveLength(2)
  })

  it('up --dry-run prints the plan and SQL and leaves the database file byte-for-byte unchanged', async () => {
    const fresh = jsonOf(await mig('up', '--dry-run', '--json'))
    expect(fresh.dryRun).toBe(true)
    expect(fresh.migrations).toHaveLength(3)
    expect(fresh.migrations[0]).toEqual({
      version: 1,
      name: 'create_users',
      file: '0001_create_users.sql',
      repeatable: false,
      direction: 'up',
      transaction: true,
      sql: 'CREATE TABLE users (id INTEGER PRIMARY KEY);',
      runsAgain: null,
    })
    expect(existsSync(database) ? await sqliteTables(database) : []).toEqual([])

    expect((await mig('up', '--step', '1')).exitCode).toBe(0)
    const before = await readFile(database)
    const human = await mig('up', '--dry-run')
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toContain('Dry run: 2 migrations would be applied')
    expect(human.stdout).toContain('ALTER TABLE users ADD COLUMN email TEXT;')
    const down = jsonOf(await mig('down', '--all', '--dry-run', '--json'))
    expect(down.migrations).toMatchObject([{ version: 1, direction: 'down', sql: expect.stringContaining('DROP TABLE users;') }])
    expect((await readFile(database)).equals(before)).toBe(true)
    expect(await sqliteHistory(database)).toEqual([{ version: 1, state: 'applied' }])
  })

  it('down reverts one migration by default, then --step, --to and --all; redo reverts and reapplies the newest', async () => {
    expect((await mig('up')).exitCode).toBe(0)
    const redo = jsonOf(await mig('redo', '--json'))
    expect(redo).toMatchObject({ ok: true, command: 'redo', reverted: [{ version: 3 }], applied: [{ version: 3 }] })
    expect(await sqliteHistory(database)).toHaveLength(3)

    const one = jsonOf(await mig('down', '--json'))
    expect(one.migrations.map((migration: { version: number }) => migration.version)).toEqual([3])
    expect(await sqliteTables(database)).not.toContain('posts')
    expect((await mig('up')).exitCode).toBe(0)
    expect(jsonOf(await mig('down', '--step', '2', '--json')).migrations).toHaveLength(2)
    expect((await mig('up')).exitCode).toBe(0)
    expect(jsonOf(await mig('down', '--to', '1', '--json')).migrations.map((migration: { version: number }) => migration.version)).toEqual([
      3, 2,
    ])
    const all = await mig('down', '--all')
    expect(all.stdout).toMatch(/reverted\s+0001_create_users\.sql/)
    expect(await sqliteHistory(database)).toEqual([])
    expect(await sqliteTables(database)).not.toContain('users')
  })

  it('status lists every migration with its state, in text and in JSON', async () => {
    expect((await mig('up', '--to', '2')).exitCode).toBe(0)
    const text = await mig('status')
    expect(text.exitCode).toBe(0)
    expect(text.stdout).toMatch(/applied\s+0001_create_users\.sql\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
    expect(text.stdout).toMatch(/pending\s+0003_create_posts\.sql/)
    expect(text.stdout).toContain('3 migrations: 2 applied, 1 pending.')
    const json = jsonOf(await mig('status', '--json'))
    expect(json.summary).toEqual({
      total: 3,
      applied: 2,
      baselined: 0,
      failed: 0,
      running: 0,
      pending: 1,
      missing: 0,
      replaced: 0,
      changed: 0,
      outOfOrder: 0,
      unreadable: 0,
      problems: 0,
      repeatablesDue: 0,
    })
    expect(json.migrations[0]).toEqual({
      version: 1,
      name: 'create_users',
      file: '0001_create_users.sql',
      state: 'applied',
      fileFound: true,
      replacedBy: null,
      renumberedTo: null,
      checksumMatches: true,
      outOfOrder: false,
      problem: null,
      appliedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      executionMs: expect.any(Number),
      appliedBy: expect.any(String),
      detail: null,
    })
    expect(json.migrations[2]).toMatchObject({ version: 3, state: 'pending', appliedAt: null, checksumMatches: null })
  })

  it('status --exit-code exits 5 while migrations are pending, 0 when up to date, 3 when history and files disagree', async () => {
    expect((await mig('status', '--exit-code')).exitCode).toBe(5)
    expect(jsonOf(await mig('status', '--exit-code', '--json')).summary.pending).toBe(3)
    expect((await mig('up')).exitCode).toBe(0)
    expect((await mig('status', '--exit-code')).exitCode).toBe(0)
    await write('0002_add_email.sql', `${SQL.addEmail}-- edited\n`)
    expect((await mig('status', '--exit-code')).exitCode).toBe(3)
    expect((await mig('status')).exitCode).toBe(0)
  })

  it('a failing migration exits 1, names the file and line, and leaves earlier migrations applied', async () => {
    await write('0004_broken.sql', '-- mig:up\nCREATE TABLE tags (id INTEGER);\nINSERT INTO missing_table VALUES (1);\n')
    const run = await mig('up')
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('MIG_MIGRATION_FAILED')
    expect(run.stderr).toContain('0004_broken.sql:3')
    expect(run.stdout).toMatch(/failed\s+0004_broken\.sql/)
    expect(await sqliteHistory(database)).toHaveLength(3)
    expect(await sqliteTables(database)).not.toContain('tags')
    const json = jsonOf(await mig('up', '--json'))
    expect(json).toMatchObject({
      ok: false,
      command: 'up',
      error: {
        code: 'MIG_MIGRATION_FAILED',
        migration: { version: 4, file: '0004_broken.sql' },
        direction: 'up',
        rolledBack: true,
        completed: [],
      },
    })
    expect(json.error.position.line).toBe(3)
  })

  it('up --single-transaction applies all pending migrations or none', async () => {
    expect((await mig('up')).exitCode).toBe(0)
    await write('0004_tags.sql', '-- mig:up\nCREATE TABLE tags (id INTEGER);\n')
    await write('0005_broken.sql', '-- mig:up\nINSERT INTO missing_table VALUES (1);\n')
    const failed = await mig('up', '--single-transaction')
    expect(failed.exitCode).toBe(1)
    expect(await sqliteHistory(database)).toHaveLength(3)
    expect(await sqliteTables(database)).not.toContain('tags')
    await rm(join(project, 'migrations', '0005_broken.sql'))
    expect((await mig('up', '--single-transaction')).exitCode).toBe(0)
    expect(await sqliteTables(database)).toContain('tags')
  })

  it('down on a migration without a down section exits 1 and reverts nothing', async () => {
    await write('0004_irreversible.sql', '-- mig:up\nCREATE TABLE tags (id INTEGER);\n')
    expect((await mig('up')).exitCode).toBe(0)
    const run = await mig('down', '--json')
    expect(run.exitCode).toBe(1)
    expect(jsonOf(run).error).toMatchObject({ code: 'MIG_IRREVERSIBLE', migration: { version: 4 } })
    expect(await sqliteHistory(database)).toHaveLength(4)
  })

  it('a code migration whose query fails names that statement, as a SQL file would', async () => {
    await write(
      '0004_backfill.mjs',
      "export async function up({ run, query }) {\n  await run('CREATE TABLE tags (id INTEGER NOT NULL)')\n  await query('INSERT INTO tags (id) VALUES (?)', [1])\n  await query('INSERT INTO tags (id) VALUES (?) -- the second', [null])\n}\n",
    )
    const run = await mig('up', '--json')
    expect(run.exitCode).toBe(1)
    expect(jsonOf(run).error).toMatchObject({
      code: 'MIG_MIGRATION_FAILED',
      migration: { file: '0004_backfill.mjs' },
      statement: 'INSERT INTO tags (id) VALUES (?) -- the second',
      rolledBack: true,
    })
    expect(await sqliteTables(database)).not.toContain('tags')
  })

  it('a code migration that does not await a failing query stops with one JSON document, rolled back', async () => {
    await write(
      '0004_forgetful.mjs',
      "export async function up({ run, query }) {\n  await run('CREATE TABLE tags (id INTEGER NOT NULL)')\n  query('INSERT INTO tags (id) VALUES (?)', [null])\n}\n",
    )
    const run = await mig('up', '--json')
    expect(run.exitCode).toBe(1)
    expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'MIG_UNEXPECTED' } })
    expect(jsonOf(run).error.message).toContain('NOT NULL constraint failed: tags.id. Nothing awaited this failure')
    expect(jsonOf(run).error.message).toContain('awaits every context.run and context.query call')
    expect(await sqliteTables(database)).not.toContain('tags')
    expect(await sqliteHistory(database)).toHaveLength(3)
  })

  it('a code migration that awaits a promise nothing settles is reported by name, rolled back, not a silent exit 13', async () => {
    await write(
      '0004_waits_forever.mjs',
      "export async function up({ run }) {\n  await run('CREATE TABLE tags (id INTEGER)')\n  await new Promise(() => {})\n}\n",
    )
    const run = await mig('up', '--json')
    expect(run.exitCode).toBe(1)
    expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'MIG_UNEXPECTED' } })
    expect(jsonOf(run).error.message).toContain("0004_waits_forever.mjs's up waits for a promise that nothing will ever settle")
    expect(run.stderr).toContain('Check that the code migration resolves every promise it creates and awaits.')
    expect(await sqliteTables(database)).not.toContain('tags')
    expect(await sqliteHistory(database)).toHaveLength(3)
  })

  it('down and redo on a code migration without down() say to export one, not to write SQL', async () => {
    await write('0004_irreversible.mjs', "export async function up({ run }) {\n  await run('CREATE TABLE tags (id INTEGER)')\n}\n")
    expect((await mig('up')).exitCode).toBe(0)
    for (const command of ['down', 'redo']) {
      const run = await mig(command)
      expect(run.exitCode).toBe(1)
      expect(run.stderr).toContain('0004_irreversible.mjs exports no down(context) function, so it cannot be rolled back.')
      expect(run.stderr).not.toContain('-- mig:down')
    }
    expect(await sqliteTables(database)).toContain('tags')
    expect(await sqliteHistory(database)).toHaveLength(4)
  })
})

describe('Ctrl-C', () => {
  it('while waiting for the lock exits 130 with MIG_ABORTED and writes nothing', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const holder = await holdMigrationLock(sqliteDriver({ filename: database }))
    try {
      const run = await runMig(['up', '--json', '--lock-timeout', '60'], {
        cwd: project,
        interruptWhen: (stderr) => stderr.includes('Waiting for the migration lock'),
      })
      expect(run.exitCode).toBe(130)
      expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'MIG_ABORTED' } })
      expect(await sqliteTables(database)).not.toContain('mig_migrations')
    } finally {
      await holder.release()
    }
    expect((await mig('up')).exitCode).toBe(0)
  })

  it('twice during a code migration that sends no SQL stops it through its signal, rolls it back and exits 130', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write(
      '0002_backfill.mjs',
      "import { setTimeout } from 'node:timers/promises'\n" +
        'export async function up({ run, signal }) {\n' +
        "  await run('CREATE TABLE backfilled (id INTEGER)')\n" +
        "  console.log('backfill started')\n" +
        '  for (;;) {\n' +
        '    signal.throwIfAborted()\n' +
        '    await setTimeout(20)\n' +
        '  }\n' +
        '}\n',
    )
    const run = await runMig(['up', '--json'], {
      cwd: project,
      interruptWhen: [(stderr) => stderr.includes('backfill started'), (stderr) => stderr.includes('Send it again')],
    })
    expect(run.exitCode).toBe(130)
    expect(jsonOf(run)).toMatchObject({
      ok: false,
      error: {
        code: 'MIG_ABORTED',
        interrupted: { file: '0002_backfill.mjs', rolledBack: true },
        completed: [{ file: '0001_create_users.sql' }],
      },
    })
    expect(await sqliteTables(database)).not.toContain('backfilled')
    expect((await sqliteHistory(database)).map((row) => row.version)).toEqual([1])
  })
})

describe('waiting for the lock', () => {
  it('a run that waited says how long, apart from its own duration, in text and JSON', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const holder = await holdMigrationLock(sqliteDriver({ filename: database }))
    let released: Promise<void> | undefined
    const release = () => (released ??= holder.release())
    try {
      const run = await runMig(['up', '--lock-wait', '60'], {
        cwd: project,
        onStderr: (stderr) => {
          if (stderr.includes('Waiting for the migration lock')) setTimeout(release, 300)
        },
      })
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toMatch(/Applied 1 migration in \d+ ms \(after waiting (\d+ ms|\d+\.\d s) for the migration lock\)\.\n$/)
    } finally {
      await release()
    }
    const free = jsonOf(await mig('up', '--json'))
    expect(free).toMatchObject({ ok: true, migrations: [], lockWaitMs: 0 })
    expect((await mig('up')).stdout).toMatch(/Nothing to apply: the database is up to date \(checked in \d+ ms\)\.\n$/)
  })
})

describe('validation, baseline and repair', () => {
  beforeEach(async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_add_email.sql', SQL.addEmail)
    expect((await mig('up')).exitCode).toBe(0)
  })

  it('validate passes when files and history agree, and exits 3 for an edited file', async () => {
    expect((await mig('validate')).stdout).toBe('Valid: 2 applied migrations match their files; 0 pending migrations load.\n')
    expect(jsonOf(await mig('validate', '--json'))).toEqual({
      ok: true,
      command: 'validate',
      valid: true,
      applied: 2,
      pending: 0,
      running: 0,
    })
    expect((await mig('down')).exitCode).toBe(0)
    expect((await mig('validate')).stdout).toBe('Valid: 1 applied migration matches its file; 1 pending migration loads.\n')
    await write('0001_create_users.sql', SQL.createUsers.replace('users', 'people'))
    const run = await mig('validate', '--json')
    expect(run.exitCode).toBe(3)
    expect(jsonOf(run).error).toMatchObject({ code: 'MIG_CHECKSUM_MISMATCH', migrations: [{ version: 1, file: '0001_create_users.sql' }] })
    expect((await mig('up')).exitCode).toBe(3)
  })

  it('validate and up exit 3 for a missing file and for an out-of-order one, unless out of order is allowed', async () => {
    await rm(join(project, 'migrations', '0002_add_email.sql'))
    const missing = await mig('validate', '--json')
    expect(missing.exitCode).toBe(3)
    expect(jsonOf(missing).error).toMatchObject({ code: 'MIG_MISSING_MIGRATION', migrations: [{ version: 2 }] })
    await write('0002_add_email.sql', SQL.addEmail)

    await write('0005_create_posts.sql', SQL.createPosts)
    expect((await mig('up')).exitCode).toBe(0)
    await write('0004_create_tags.sql', '-- mig:up\nCREATE TABLE tags (id INTEGER);\n-- mig:down\nDROP TABLE tags;\n')
    const outOfOrder = await mig('up', '--json')
    expect(outOfOrder.exitCode).toBe(3)
    expect(jsonOf(outOfOrder).error).toMatchObject({ code: 'MIG_OUT_OF_ORDER', migrations: [{ version: 4 }] })
    expect((await mig('status')).stdout).toContain('1 pending, 1 out of order.')
    expect(await sqliteTables(database)).not.toContain('tags')
    expect((await mig('up', '--allow-out-of-order')).exitCode).toBe(0)
    expect(await sqliteTables(database)).toContain('tags')
  })

  it('baseline adopts a database whose schema matches the migrations, and refuses one that does not', async () => {
    const adopted = join(project, 'adopted.db')
    await queryRows(sqliteDriver({ filename: adopted }), 'CREATE TABLE users (id INTEGER PRIMARY KEY)')
    const run = await mig('baseline', '--to', '1', '--url', 'sqlite:./adopted.db', '--json')
    expect(jsonOf(run)).toEqual({
      ok: true,
      command: 'baseline',
      migrations: [{ version: 1, name: 'create_users', file: '0001_create_users.sql' }],
      repeatables: [],
      verified: true,
    })
    expect(await sqliteHistory(adopted)).toEqual([{ version: 1, state: 'baselined' }])
    expect((await mig('baseline', '--to', '1', '--url', 'sqlite:./adopted.db')).exitCode).toBe(2)

    // An empty database that exists: a missing file is refused before any comparison.
    expect((await mig('db', 'create', '--url', 'sqlite:./empty.db')).exitCode).toBe(0)
    const empty = await mig('baseline', '--to', '1', '--url', 'sqlite:./empty.db', '--json')
    expect(empty.exitCode).toBe(3)
    expect(jsonOf(empty).error).toMatchObject({ code: 'MIG_SCHEMA_MISMATCH', differences: expect.any(Array) })
    expect(jsonOf(empty).error.message).toContain('if it is new, apply them with `mig up` instead of a baseline')
    expect(jsonOf(empty).error.message).not.toContain('force')
    // A refused baseline writes nothing at all, not even the history table.
    expect(await sqliteTables(join(project, 'empty.db'))).toEqual([])

    const forced = jsonOf(await mig('baseline', '--to', '1', '--force', '--url', 'sqlite:./empty.db', '--json'))
    expect(forced).toMatchObject({ ok: true, migrations: [{ version: 1 }], verified: false })
    expect(await sqliteHistory(join(project, 'empty.db'))).toEqual([{ version: 1, state: 'baselined' }])
    expect(await sqliteTables(join(project, 'empty.db'))).not.toContain('users')
    expect((await mig('baseline', '--force')).exitCode).toBe(2)
  })

  it('repair marks a migration that failed part-way as applied or rolled back, and up refuses it until then', async () => {
    await write('0003_outside.sql', '-- mig:no-transaction\n-- mig:up\nCREATE TABLE tags (id INTEGER);\nCREATE TABLE tags (id INTEGER);\n')
    expect((await mig('up')).exitCode).toBe(1)
    expect(await sqliteHistory(database)).toContainEqual({ version: 3, state: 'failed' })
    const refused = await mig('up', '--json')
    expect(refused.exitCode).toBe(3)
    expect(jsonOf(refused).error).toMatchObject({ code: 'MIG_PARTIAL_MIGRATION', migrations: [{ version: 3 }] })
    expect((await mig('status', '--exit-code')).exitCode).toBe(3)

    expect((await mig('repair')).exitCode).toBe(2)
    const repaired = jsonOf(await mig('repair', '--applied', '--json'))
    expect(repaired).toEqual({
      ok: true,
      command: 'repair',
      migration: { version: 3, name: 'outside', file: '0003_outside.sql' },
      resolution: 'applied',
    })
    expect(await sqliteHistory(database)).toContainEqual({ version: 3, state: 'applied' })

    await write('0004_outside_again.sql', '-- mig:no-transaction\n-- mig:up\nCREATE TABLE labels (id INTEGER);\nSELECT * FROM nowhere;\n')
    expect((await mig('up')).exitCode).toBe(1)
    const rolledBack = await mig('repair', '4', '--rolled-back')
    expect(rolledBack.exitCode).toBe(0)
    expect(rolledBack.stdout).toContain('Marked 0004_outside_again.sql as rolled back')
    expect((await sqliteHistory(database)).map((row) => row.version)).toEqual([1, 2, 3])
    expect((await mig('repair', '4', '--applied', '--json')).exitCode).toBe(2)
  })

  it('a no-transaction down that fails part-way is reported by status and validate as a failed rollback, not as a failed up', async () => {
    await write(
      '0003_outside.sql',
      '-- mig:no-transaction\n-- mig:up\nCREATE TABLE t1 (id INTEGER);\nCREATE TABLE t2 (id INTEGER);\n' +
        '-- mig:down\nDROP TABLE t2;\nDROP TABLE nowhere;\nDROP TABLE t1;\n',
    )
    expect((await mig('up')).exitCode).toBe(0)
    const down = await mig('down', '--json')
    expect(down.exitCode).toBe(1)
    expect(jsonOf(down).error).toMatchObject({ code: 'MIG_MIGRATION_FAILED', direction: 'down', rolledBack: false })
    // The first statement of the down ran: t2 is gone, t1 is still there.
    expect(await sqliteTables(database)).toEqual(expect.arrayContaining(['t1']))
    expect(await sqliteTables(database)).not.toContain('t2')

    const status = jsonOf(await mig('status', '--json'))
    expect(status.migrations[2]).toMatchObject({ version: 3, state: 'failed', problem: 'failed' })
    expect(status.migrations[2].detail).toBe('while reverting it, statement 2 of 3 failed: no such table: nowhere')
    const validate = await mig('validate', '--json')
    expect(validate.exitCode).toBe(3)
    expect(jsonOf(validate).error.message).toContain('(while reverting it, statement 2 of 3 failed: no such table: nowhere)')
  })
})

describe('locking, code migrations, configuration and usage', () => {
  it('exits 4 when another run holds the lock past the lock timeout', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const holder = await holdMigrationLock(sqliteDriver({ filename: database }))
    try {
      const run = await mig('up', '--lock-timeout', '1', '--json')
      expect(run.exitCode).toBe(4)
      expect(jsonOf(run).error).toMatchObject({ code: 'MIG_LOCK_TIMEOUT', timeoutMs: 1000 })
    } finally {
      await holder.release()
    }
    expect((await mig('up')).exitCode).toBe(0)
  })

  it('db drop refuses (exit 6) while a run holds the lock, naming it; the run waiting behind it applies, and drop keeps the lock file', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    expect((await mig('up')).exitCode).toBe(0)
    await write('0002_add_email.sql', SQL.addEmail)
    const holder = await holdMigrationLock(sqliteDriver({ filename: database }))
    let released: Promise<void> | undefined
    const release = () => (released ??= holder.release())
    // Tried while the other run waits, and the lock is given back only once drop has answered.
    let drop: Promise<MigRun> | undefined
    try {
      const waiting = await runMig(['up', '--lock-wait', '60'], {
        cwd: project,
        onStderr: (stderr) => {
          if (stderr.includes('Waiting for the migration lock')) drop ??= mig('db', 'drop', '--yes', '--json').finally(release)
        },
      })
      expect(waiting.exitCode).toBe(0)
    } finally {
      await release()
    }
    const refused = (await drop) as MigRun
    expect(refused.exitCode).toBe(6)
    const { error } = jsonOf(refused)
    expect(error).toMatchObject({ code: 'MIG_DATABASE_ERROR', sqlState: 'SQLITE_BUSY' })
    expect(error.message).toContain(`mig db drop leaves ${database} alone: a migration run holds its lock ${database}.mig_migrations.lock`)
    expect(error.message).toContain(`(held by pid ${process.pid} on ${hostname()} since `)
    expect(await sqliteHistory(database)).toHaveLength(2)

    expect((await mig('db', 'drop', '--yes')).stdout).toBe('Dropped sqlite:./app.db.\n')
    expect((await readdir(project)).filter((file) => file.startsWith('app.db'))).toEqual(['app.db.mig_migrations.lock'])
    expect((await mig('up')).exitCode).toBe(0)
    expect(await sqliteHistory(database)).toHaveLength(2)
  })

  it("a history table named in other case is the same table to SQLite: it takes the same lock and is never the schema's", async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const holder = await holdMigrationLock(sqliteDriver({ filename: database }), { name: 'Deploy_History' })
    try {
      const run = await mig('up', '--table', 'deploy_history', '--lock-wait', '1', '--json')
      expect(run.exitCode).toBe(4)
      expect(jsonOf(run).error).toMatchObject({ code: 'MIG_LOCK_TIMEOUT' })
      expect(await sqliteTables(database)).not.toContain('users')
    } finally {
      await holder.release()
    }
    expect((await mig('up', '--table', 'DEPLOY_HISTORY')).exitCode).toBe(0)
    expect(await queryRows(sqliteDriver({ filename: database }), 'SELECT version FROM deploy_history')).toEqual([{ version: '1' }])
    // Nor is that table, named in yet another case, taken for one of the application's.
    const drift = await mig('drift', '--table', 'Deploy_History')
    expect(drift.stdout).not.toContain('extra in the database')
    expect(drift.exitCode).toBe(0)
    expect((await mig('dump', '--table', 'Deploy_History')).stdout).not.toMatch(/deploy_history/i)
  })

  it('an older release starting after a newer one migrated is refused, and told to run the newer one, not to revert', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await mkdir(join(project, 'old-release'))
    await writeFile(join(project, 'old-release', '0001_create_users.sql'), SQL.createUsers)
    await write('0002_add_email.sql', SQL.addEmail)
    expect((await mig('up')).exitCode).toBe(0)
    const old = await mig('up', '--dir', 'old-release', '--json')
    expect(old.exitCode).toBe(3)
    expect(jsonOf(old).error.message).toContain(
      'It is newer than every migration here: if this is an older release starting beside a newer one that applied it (a rolling deployment, a scaled-up old replica), run the newer release instead and revert nothing',
    )
    expect(await sqliteHistory(database)).toEqual([
      { version: 1, state: 'applied' },
      { version: 2, state: 'applied' },
    ])
  })

  it('refuses a URL parameter it does not read, such as ?mode=ro, and writes nothing', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const run = await mig('up', '--url', 'sqlite:./app.db?mode=ro', '--json')
    expect(run.exitCode).toBe(2)
    expect(jsonOf(run).error).toMatchObject({ code: 'MIG_INVALID_OPTIONS', message: expect.stringContaining('does not read: mode.') })
    expect(existsSync(database)).toBe(false)
  })

  it('runs TypeScript and JavaScript code migrations without a build step', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write(
      '0002_seed.ts',
      "import type { MigrationContext } from '@mig/cli'\nexport async function up(context: MigrationContext): Promise<void> {\n  await context.query('INSERT INTO users (id) VALUES (?)', [7])\n}\nexport async function down(context: MigrationContext): Promise<void> {\n  await context.run('DELETE FROM users')\n}\n",
    )
    await write('0003_more.mjs', "export async function up(context) {\n  await context.run('INSERT INTO users (id) VALUES (8)')\n}\n")
    const run = await mig('up', '--json')
    expect(jsonOf(run).migrations).toHaveLength(3)
    const rows = await queryRows(sqliteDriver({ filename: database }), 'SELECT id FROM users ORDER BY id')
    expect(rows).toEqual([{ id: 7 }, { id: 8 }])
  })

  it('a failing code migration names the line of its own file, in TypeScript after tsx removed the types', async () => {
    await write(
      '0001_backfill.ts',
      [
        "import type { MigrationContext } from '@mig/cli'",
        '',
        'interface Count {',
        '  n: number',
        '}',
        '',
        'export async function up({ run, query }: MigrationContext): Promise<void> {',
        "  await run('CREATE TABLE tags (id INTEGER)')",
        "  const rows = await query<Count>('SELECT 1 AS n WHERE 0')",
        '  console.log(rows[0].n)',
        '}',
        '',
      ].join('\n'),
    )
    const thrown = await mig('up', '--json')
    expect(thrown.exitCode).toBe(1)
    expect(jsonOf(thrown).error).toMatchObject({
      code: 'MIG_MIGRATION_FAILED',
      message: expect.stringMatching(/^Migration 0001_backfill\.ts:10:\d+ failed: Cannot read properties of undefined/),
      position: { line: 10 },
      rolledBack: true,
    })
    await write(
      '0001_backfill.ts',
      "export async function up({ run, query }: { run: (sql: string) => Promise<void>; query: (sql: string, params: unknown[]) => Promise<unknown[]> }) {\n  await run('CREATE TABLE tags (id INTEGER)')\n\n  await query('INSERT INTO missing_table VALUES (?)', [1])\n}\n",
    )
    const failedQuery = await mig('up')
    expect(failedQuery.exitCode).toBe(1)
    expect(failedQuery.stderr).toMatch(/Migration 0001_backfill\.ts:4:\d+ failed: no such table: missing_table/)
    await rm(join(project, 'migrations', '0001_backfill.ts'))
    await write(
      '0001_commits.mjs',
      "export async function up({ run }) {\n  await run('CREATE TABLE tags (id INTEGER)')\n  await run('COMMIT')\n}\n",
    )
    const refused = await mig('up')
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('0001_commits.mjs:3: COMMIT would end or nest the transaction')
    expect(refused.stderr).toContain('It was not run, and mig rolls the migration back.')
    expect(await sqliteTables(database)).not.toContain('tags')
    expect(await sqliteHistory(database)).toEqual([])
  })

  it('finds up, down and transaction under a TypeScript default export in a package that is not "type": "module"', async () => {
    // tsx compiles such a file to CommonJS, which keeps the default export under default.default.
    await writeFile(join(project, 'package.json'), '{ "name": "app" }\n')
    await write(
      '0001_tags.ts',
      "export default {\n  transaction: false,\n  async up({ run }: { run: (sql: string) => Promise<void> }) {\n    await run('CREATE TABLE tags (id INTEGER)')\n  },\n  async down({ run }: { run: (sql: string) => Promise<void> }) {\n    await run('DROP TABLE tags')\n  },\n}\n",
    )
    const plan = await mig('plan')
    expect(plan.exitCode, plan.stderr).toBe(0)
    expect(plan.stdout).toContain('-- 0001_tags.ts (up, outside a transaction)')
    expect((await mig('up')).exitCode).toBe(0)
    expect(await sqliteTables(database)).toContain('tags')
    expect((await mig('down')).exitCode).toBe(0)
    expect(await sqliteTables(database)).not.toContain('tags')
  })

  it('a TypeScript migration that throws on import is reported as such, not as a missing loader', async () => {
    await write('0001_broken.ts', "const limit: number = 3\nthrow new Error('broken at load ' + limit)\n")
    const run = await mig('up')
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('0001_broken.ts: cannot be imported: broken at load 3.')
    expect(run.stderr).not.toContain('loader')
    expect(await sqliteTables(database)).toEqual([])
    await rm(join(project, 'migrations', '0001_broken.ts'))
    await writeFile(join(project, 'helper.ts'), 'export const table = "tags"\n')
    await write(
      '0001_uses_helper.mjs',
      "import { table } from '../helper.ts'\nexport async function up({ run }) {\n  await run('CREATE TABLE ' + table + ' (id INTEGER)')\n}\n",
    )
    const fromJavaScript = await mig('up')
    expect(fromJavaScript.exitCode).toBe(2)
    expect(fromJavaScript.stderr).toContain('0001_uses_helper.mjs: cannot be imported: Unknown file extension ".ts"')
    expect(fromJavaScript.stderr).not.toContain('loader')
  })

  it('takes flags over environment variables over the config file, found upward from the working directory', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const subfolder = join(project, 'src', 'deep')
    await mkdir(subfolder, { recursive: true })
    const fromConfig = await runMig(['up'], { cwd: subfolder })
    expect(fromConfig.exitCode).toBe(0)
    expect(await sqliteTables(database)).toContain('users')

    await runMig(['up'], { cwd: subfolder, env: { DATABASE_URL: 'sqlite:./from-database-url.db', MIG_DIR: '../../migrations' } })
    expect(await sqliteTables(join(subfolder, 'from-database-url.db'))).toContain('users')
    await runMig(['up'], {
      cwd: project,
      env: { MIG_DATABASE_URL: 'sqlite:./from-mig-url.db', DATABASE_URL: 'sqlite:./ignored.db', MIG_TABLE: 'history' },
    })
    expect(await sqliteTables(join(project, 'from-mig-url.db'))).toEqual(expect.arrayContaining(['history', 'users']))
    expect(existsSync(join(project, 'ignored.db'))).toBe(false)
    await runMig(['up', '--url', 'sqlite:./from-flag.db', '--table', 'flag_history'], {
      cwd: project,
      env: { MIG_DATABASE_URL: 'sqlite:./ignored.db', MIG_TABLE: 'history' },
    })
    expect(await sqliteTables(join(project, 'from-flag.db'))).toEqual(expect.arrayContaining(['flag_history', 'users']))
    expect(existsSync(join(project, 'ignored.db'))).toBe(false)
  })

  it('exits 2 with a JSON error document for usage and configuration errors', async () => {
    const cases: [string[], string][] = [
      [['launch'], 'MIG_USAGE'],
      [['up', '--force'], 'MIG_USAGE'],
      [['up', '--step', 'two'], 'MIG_USAGE'],
      [['up', '--to', '1', '--step', '1'], 'MIG_INVALID_OPTIONS'],
      [['up', '--to', '99'], 'MIG_UNKNOWN_VERSION'],
      [['status', '--url', 'mysql://root@localhost/app'], 'MIG_CONFIG'],
      [['status', '--config', 'nowhere.json'], 'MIG_CONFIG'],
      [['status', '--table', 'bad name'], 'MIG_INVALID_OPTIONS'],
      [['status', '--dir', 'no-such-folder'], 'MIG_INVALID_OPTIONS'],
    ]
    await write('0001_create_users.sql', SQL.createUsers)
    for (const [args, code] of cases) {
      const run = await mig(...args, '--json')
      expect({ args, exitCode: run.exitCode }).toEqual({ args, exitCode: 2 })
      expect(jsonOf(run)).toMatchObject({ ok: false, error: { code, message: expect.any(String) } })
    }
    await rm(join(project, 'mig.config.json'))
    const noUrl = await mig('status')
    expect(noUrl.exitCode).toBe(2)
    expect(noUrl.stderr).toContain('No database URL')
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', directory: 'migrations' }))
    expect((await mig('status')).stderr).toContain('unknown key "directory"')
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', dirr: 'migrations' }))
    expect((await mig('status')).stderr).toContain('mig.config.json has an unknown key "dirr". Did you mean dir? Known keys: url, dir,')
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db' }))
    await write('0002_bad.sql', 'CREATE TABLE nothing (id INTEGER);\n')
    expect(jsonOf(await mig('up', '--json')).error.code).toBe('MIG_INVALID_MIGRATION')
  })

  it('refuses a misspelt lock kind from a flag, a variable or the config file, though SQLite has no use for it', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const flag = await mig('up', '--lock', 'advisroy', '--json')
    expect(flag.exitCode).toBe(2)
    expect(jsonOf(flag).error).toMatchObject({ code: 'MIG_CONFIG', message: expect.stringContaining('not "advisroy"') })
    const variable = await runMig(['up'], { cwd: project, env: { MIG_LOCK: 'leese' } })
    expect(variable.exitCode).toBe(2)
    expect(variable.stderr).toContain('must be auto, advisory or lease, not "leese"')
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', lock: 'Lease' }))
    const config = await mig('up')
    expect(config.exitCode).toBe(2)
    expect(config.stderr).toContain('not "Lease"')
    expect(existsSync(database)).toBe(false)
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', lock: 'lease' }))
    expect((await mig('up')).exitCode).toBe(0)
    expect(await sqliteTables(database)).toContain('users')
  })

  it('refuses a malformed table lock timeout from a flag, a variable or the config file, though SQLite has no lock_timeout', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const flag = await mig('up', '--table-lock-timeout', '5x', '--json')
    expect(flag.exitCode).toBe(2)
    expect(jsonOf(flag).error).toMatchObject({
      code: 'MIG_CONFIG',
      message: expect.stringContaining('must be a duration such as 5s, 500ms or 2min (0 turns it off), not "5x"'),
    })
    const variable = await runMig(['up'], { cwd: project, env: { MIG_TABLE_LOCK_TIMEOUT: '5 seconds' } })
    expect(variable.exitCode).toBe(2)
    expect(variable.stderr).toContain('not "5 seconds"')
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', tableLockTimeout: '-1s' }))
    expect((await mig('up')).stderr).toContain('not "-1s"')
    expect(existsSync(database)).toBe(false)
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', tableLockTimeout: '1.5min' }))
    expect((await mig('up', '--table-lock-timeout', '250')).exitCode).toBe(0)
    expect(await sqliteTables(database)).toContain('users')
  })

  it('prints its version and help', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
    expect((await mig('--version')).stdout.trim()).toBe(manifest.version)
    expect(jsonOf(await mig('--version', '--json'))).toEqual({ ok: true, command: 'version', version: manifest.version })
    const help = await mig('help')
    expect(help.exitCode).toBe(0)
    for (const command of ['init', 'create', 'up', 'down', 'redo', 'status', 'validate', 'baseline', 'repair'])
      expect(help.stdout).toContain(command)
    // A lint error exits 1, as docs/cli.md says; the summary of exit codes says so too.
    expect(help.stdout).toContain('1 migration failed (or lint error, drift found, mig test failed)')
    expect((await mig('help', 'create')).stdout).toContain('needs a database URL for the dialect')
    expect((await mig('help', 'down')).stdout).toContain(
      'mig down [--step <n> | --to <version> | --all | --missing [--include-renumbered]]',
    )
    expect((await mig('up', '--help')).stdout).toContain('--dry-run')
    expect((await mig('help', '--help')).stdout).toContain('Usage: mig help [<command> [<subcommand>]]')
    expect((await mig('help', 'up', '--help')).stdout).toContain('--dry-run')
    const bare = await mig()
    expect(bare.exitCode).toBe(2)
    expect(bare.stderr).toContain('Usage: mig <command>')
    expect(bare.stdout + bare.stderr).not.toContain('\u001b[')
  })
})
