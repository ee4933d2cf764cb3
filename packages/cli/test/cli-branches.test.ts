import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { postgresTables, queryRows, sqliteTables } from './database-state.ts'
import { jsonOf, runMig, SQL, temporaryDirectory } from './run-mig.ts'

let project: string
let removeProject: () => Promise<void>
let environment: Record<string, string> = {}

const mig = (...args: string[]) => runMig(args, { cwd: project, env: environment })
const write = (file: string, text: string) => writeFile(join(project, 'migrations', file), text)
const remove = (file: string) => rm(join(project, 'migrations', file))

const FEATURE = {
  '0002_feature_tags.sql': '-- mig:up\nCREATE TABLE tags (id INTEGER PRIMARY KEY);\n-- mig:down\nDROP TABLE tags;\n',
  '0003_feature_labels.sql': '-- mig:up\nCREATE TABLE labels (id INTEGER PRIMARY KEY);\n-- mig:down\nDROP TABLE labels;\n',
}

/** A code migration: history records no down SQL for it, only for SQL migrations. */
const BACKFILL =
  'export async function up(context) { await context.run("INSERT INTO users (id) VALUES (1)") }\n' +
  'export async function down(context) { await context.run("DELETE FROM users WHERE id = 1") }\n'

async function newProject(prefix: string, config: Record<string, unknown>): Promise<void> {
  const directory = await temporaryDirectory(prefix)
  project = directory.path
  removeProject = directory.remove
  await mkdir(join(project, 'migrations'))
  await writeFile(join(project, 'mig.config.json'), JSON.stringify({ dir: 'migrations', ...config }))
}

/** A feature branch's migrations applied, then the switch back to main, which has only 0001. */
async function switchBackFromFeatureBranch(): Promise<void> {
  await write('0001_create_users.sql', SQL.createUsers)
  for (const [file, text] of Object.entries(FEATURE)) await write(file, text)
  expect((await mig('up')).exitCode).toBe(0)
  for (const file of Object.keys(FEATURE)) await remove(file)
}

/** The branch-switch walk-through, the same on each dialect. */
function switchingBranches(tables: () => Promise<string[]>): void {
  it('after switching branches, status points to down --missing and up refuses, naming it', async () => {
    await switchBackFromFeatureBranch()
    const status = await mig('status')
    expect(status.exitCode).toBe(0)
    expect(status.stdout).toMatch(/2 applied migrations have no file \(after switching branches\?\): revert them with mig down --missing/)
    const up = await mig('up', '--json')
    expect(up.exitCode).toBe(3)
    expect(jsonOf(up).error).toMatchObject({ code: 'MIG_MISSING_MIGRATION' })
    expect(jsonOf(up).error.message).toMatch(/0002_feature_tags\.sql, 0003_feature_labels\.sql were applied.*`mig down --missing`/)
  })

  it('when even the oldest applied migration has no file, status and up point to the folder, not to down --missing, which refuses', async () => {
    await switchBackFromFeatureBranch()
    await remove('0001_create_users.sql')
    const status = await mig('status')
    expect(status.stdout).toContain(
      'Even the oldest applied migration has no file: check that this is the right migrations folder (--dir, or "dir" in the config file) ' +
        'and a complete checkout; mig down --missing reverts nothing then. mig validate says more.',
    )
    expect(status.stdout).not.toMatch(/revert them with mig down --missing/)
    const message: string = jsonOf(await mig('up', '--json')).error.message
    expect(message).toContain('`mig down --missing` reverts nothing then.')
    expect(message).not.toMatch(/revert them with the down SQL/)
    const down = await mig('down', '--missing', '--json')
    expect(jsonOf(down).error.message).toMatch(/^Even the oldest applied migration, 0001_create_users\.sql, has no file/)
    expect(await tables()).toEqual(expect.arrayContaining(['users', 'tags', 'labels']))
  })

  it('for a missing code migration, up names what works instead of down --missing, which cannot revert it', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_backfill_users.mjs', BACKFILL)
    expect((await mig('up')).exitCode).toBe(0)
    await remove('0002_backfill_users.mjs')
    expect((await mig('status')).stdout).toContain(
      'An applied migration has no file (after switching branches?), and history holds no down SQL for 0002_backfill_users.mjs, ' +
        'so mig down --missing cannot revert it: restore it, or undo it by hand and run mig repair 2 --forget. mig validate says more.',
    )
    const up = await mig('up', '--json')
    expect(up.exitCode).toBe(3)
    const message: string = jsonOf(up).error.message
    expect(message).toMatch(
      /History holds no down SQL for 0002_backfill_users\.mjs \(a code migration\), so `mig down --missing` cannot revert it\./,
    )
    expect(message).toMatch(
      /restore it from version control, or, if removed on purpose or once undone by hand, drop it from history \(`mig repair 2 --forget`\)\.$/,
    )
    expect(message).not.toMatch(/revert it with the down SQL/)
    expect(jsonOf(await mig('down', '--missing', '--json')).error.code).toBe('MIG_IRREVERSIBLE')
  })

  it('with missing SQL and code migrations, up says which down --missing reverts, once the code one is forgotten', async () => {
    await write('0004_backfill_users.mjs', BACKFILL)
    await switchBackFromFeatureBranch()
    await remove('0004_backfill_users.mjs')
    expect((await mig('status')).stdout).toMatch(
      /3 applied migrations have no file .*0004_backfill_users\.mjs.*run mig repair 4 --forget; then mig down --missing reverts the rest\./,
    )
    const message: string = jsonOf(await mig('up', '--json')).error.message
    expect(message).toContain(
      '`mig down --missing` can revert 0002_feature_tags.sql, 0003_feature_labels.sql with the down SQL recorded when applied, ' +
        'but not 0004_backfill_users.mjs (a code migration), for which history holds none, and it reverts nothing while that one is missing.',
    )
    expect(message).toMatch(
      /\(`mig repair 4 --forget`\); then `mig down --missing` reverts 0002_feature_tags\.sql, 0003_feature_labels\.sql\.$/,
    )
    expect((await mig('repair', '4', '--forget')).exitCode).toBe(0)
    expect((await mig('down', '--missing')).exitCode).toBe(0)
    expect(await tables()).not.toEqual(expect.arrayContaining(['tags']))
    expect((await mig('up')).exitCode).toBe(0)
  })

  it('own migrations renumbered after a merge: status and up name down --missing --include-renumbered, which reverts them for up to apply again', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    for (const [file, text] of Object.entries(FEATURE)) await write(file, text)
    expect((await mig('up')).exitCode).toBe(0)
    // main's 0002 merged in; this branch's migrations moved after it, as `mig renumber --url <staging>` does.
    await write('0002_main_posts.sql', SQL.createPosts)
    await rename(join(project, 'migrations', '0003_feature_labels.sql'), join(project, 'migrations', '0004_feature_labels.sql'))
    await rename(join(project, 'migrations', '0002_feature_tags.sql'), join(project, 'migrations', '0003_feature_tags.sql'))
    const status = await mig('status')
    expect(status.stdout).toMatch(/0002_feature_tags\.sql .*renumbered to 0003_feature_tags\.sql since applied/)
    expect(status.stdout).toContain(
      '2 applied migrations were renumbered since (after a merge?). On a database of your own: revert them with mig down --missing --include-renumbered, then mig up.',
    )
    const up = jsonOf(await mig('up', '--json'))
    expect(up.error.code).toBe('MIG_REPLACED_MIGRATION')
    expect(up.error.message).toMatch(
      /renumbered since \(to 0003_feature_tags\.sql, 0004_feature_labels\.sql\).*`mig down --missing --include-renumbered`/,
    )
    expect(up.error.message).not.toMatch(/give 0002_main_posts\.sql a version after/)
    const refused = await mig('down', '--missing')
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toMatch(
      /Nothing was reverted: reverting would drop what these applied migrations made, with their data\. 0003_feature_labels\.sql, 0002_feature_tags\.sql were renumbered since \(to 0004_feature_labels\.sql, 0003_feature_tags\.sql\)/,
    )
    expect(await tables()).toEqual(expect.arrayContaining(['tags', 'labels']))
    const down = await mig('down', '--missing', '--include-renumbered')
    expect(down.exitCode).toBe(0)
    expect(down.stdout).toMatch(/reverted {2}0003_feature_labels\.sql .*\n.*reverted {2}0002_feature_tags\.sql/)
    const applied = jsonOf(await mig('up', '--json')).migrations.map((migration: { file: string }) => migration.file)
    expect(applied).toEqual(['0002_main_posts.sql', '0003_feature_tags.sql', '0004_feature_labels.sql'])
    expect(await tables()).toEqual(expect.arrayContaining(['users', 'posts', 'tags', 'labels']))
    expect((await mig('validate')).exitCode).toBe(0)
  })

  it('down --include-renumbered without --missing is refused, naming both', async () => {
    const run = await mig('down', '--include-renumbered')
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('--include-renumbered goes with --missing: mig down --missing --include-renumbered.')
  })

  it('down --missing --dry-run shows the recorded down SQL, newest first, and changes nothing', async () => {
    await switchBackFromFeatureBranch()
    const dryRun = await mig('down', '--missing', '--dry-run')
    expect(dryRun.exitCode).toBe(0)
    expect(dryRun.stdout).toMatch(/Dry run: 2 migrations would be reverted\. Nothing was written\./)
    expect(dryRun.stdout).toMatch(/0003_feature_labels\.sql \(down, in a transaction\)\nDROP TABLE labels;[\s\S]*0002_feature_tags\.sql/)
    const json = jsonOf(await mig('down', '--missing', '--dry-run', '--json'))
    expect(json.migrations.map((migration: { file: string; sql: string }) => [migration.file, migration.sql])).toEqual([
      ['0003_feature_labels.sql', 'DROP TABLE labels;\n'],
      ['0002_feature_tags.sql', 'DROP TABLE tags;\n'],
    ])
    expect(await tables()).toEqual(expect.arrayContaining(['tags', 'labels']))
  })

  it('down --missing shows what it will run, reverts the missing migrations newest first, and up works again', async () => {
    await switchBackFromFeatureBranch()
    const down = await mig('down', '--missing')
    expect(down.exitCode).toBe(0)
    expect(down.stdout).toMatch(
      /Reverting 2 applied migrations whose files are gone, newest first, with the down SQL recorded when applied:/,
    )
    expect(down.stdout).toMatch(/DROP TABLE labels;[\s\S]*DROP TABLE tags;[\s\S]*Reverted 2 migrations/)
    expect(await tables()).not.toEqual(expect.arrayContaining(['tags']))
    expect(await tables()).not.toEqual(expect.arrayContaining(['labels']))
    expect(await tables()).toEqual(expect.arrayContaining(['users']))
    expect((await mig('up')).exitCode).toBe(0)
    expect(jsonOf(await mig('status', '--json')).summary).toMatchObject({ applied: 1, pending: 0, missing: 0 })
    expect((await mig('down', '--missing')).stdout).toContain('Nothing to roll back: every applied migration has its file.')
  })

  it('down --missing refuses a missing migration applied without a down section, names mig repair --forget, and reverts nothing', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_feature_tags.sql', FEATURE['0002_feature_tags.sql'])
    await write('0003_one_way.sql', '-- mig:up\nCREATE TABLE one_way (id INTEGER PRIMARY KEY);\n')
    expect((await mig('up')).exitCode).toBe(0)
    await remove('0002_feature_tags.sql')
    await remove('0003_one_way.sql')
    for (const args of [
      ['down', '--missing'],
      ['down', '--missing', '--dry-run'],
    ]) {
      const run = await mig(...args, '--json')
      expect(run.exitCode).toBe(1)
      expect(jsonOf(run).error).toMatchObject({ code: 'MIG_IRREVERSIBLE', migration: { file: '0003_one_way.sql' } })
      expect(jsonOf(run).error.message).toMatch(/no down SQL.*Nothing was reverted.*`mig repair 3 --forget`/s)
    }
    expect(await tables()).toEqual(expect.arrayContaining(['users', 'tags', 'one_way']))
  })
}

describe('on SQLite', () => {
  beforeEach(async () => {
    environment = {}
    await newProject('branches', { url: 'sqlite:./app.db' })
  })
  afterEach(() => removeProject())

  switchingBranches(async () => sqliteTables(join(project, 'app.db')))

  it('down --missing is refused with --fleet and with --step, before anything is opened', async () => {
    expect((await mig('down', '--missing', '--fleet')).stderr).toMatch(/leave out --fleet/)
    const run = await mig('down', '--missing', '--step', '1')
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('down takes only one of to, step, all and missing (--to, --step, --all, --missing in the CLI).')
  })
})

describe('on PostgreSQL', () => {
  let database: TestDatabase

  beforeAll(async () => {})
  beforeEach(async () => {
    database = await createTestDatabase(inject('postgresUrl'))
    environment = { DATABASE_URL: database.url }
    await newProject('branches-postgres', {})
  })
  afterEach(async () => {
    await removeProject()
    await database.drop()
  })

  switchingBranches(() => postgresTables(database.url))

  it('renumber decides what is applied from the history in PostgreSQL, and up then applies the moved migration', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_main_posts.sql', SQL.createPosts)
    expect((await mig('up')).exitCode).toBe(0)
    await write('0002_feature_tags.sql', FEATURE['0002_feature_tags.sql'])
    const renumber = jsonOf(await mig('renumber', '--json'))
    expect(renumber.renumbered).toEqual([
      { from: { version: 2, file: '0002_feature_tags.sql' }, to: { version: 3, file: '0003_feature_tags.sql' } },
    ])
    expect((await mig('up')).exitCode).toBe(0)
    expect(await postgresTables(database.url)).toEqual(expect.arrayContaining(['posts', 'tags']))
  })

  it('down --missing reverts a no-transaction migration outside a transaction, as it was applied', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write(
      '0002_index_users.sql',
      '-- mig:no-transaction\n-- mig:up\nCREATE INDEX CONCURRENTLY users_id ON users (id);\n-- mig:down\nDROP INDEX CONCURRENTLY users_id;\n',
    )
    expect((await mig('up')).exitCode).toBe(0)
    await remove('0002_index_users.sql')
    const down = await mig('down', '--missing')
    expect(down.exitCode).toBe(0)
    expect(down.stdout).toContain('0002_index_users.sql (down, outside a transaction)')
    const indexes = await queryRows(
      postgresDriver({ connectionString: database.url }),
      "SELECT indexname FROM pg_indexes WHERE indexname = 'users_id'",
    )
    expect(indexes).toEqual([])
  })
})

describe('merging branches with clashing versions, on SQLite', () => {
  const migrationsIn = async () => (await readdir(join(project, 'migrations'))).sort()

  beforeEach(async () => {
    environment = {}
    await newProject('merges', { url: 'sqlite:./app.db' })
  })
  afterEach(() => removeProject())

  /** main's 0002 is applied here; this branch's own 0002 and 0003 are not. */
  async function mergedMain(): Promise<void> {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_main_posts.sql', SQL.createPosts)
    expect((await mig('up')).exitCode).toBe(0)
    await write('0002_feature_tags.sql', FEATURE['0002_feature_tags.sql'])
    await write('0003_feature_labels.sql', FEATURE['0003_feature_labels.sql'])
  }

  it('renumber --dry-run shows the moves and renames nothing; renumber renames, keeping order and padding, and up applies them', async () => {
    await mergedMain()
    expect(jsonOf(await mig('up', '--json')).error.code).toBe('MIG_DUPLICATE_VERSION')
    expect((await mig('up')).stderr).toMatch(/0002_feature_tags\.sql.*\(two branches merged\?\).*`mig renumber`/)
    const dryRun = await mig('renumber', '--dry-run')
    expect(dryRun.exitCode).toBe(0)
    expect(dryRun.stdout).toMatch(/Dry run: 2 migrations would be renumbered in migrations\. Nothing was renamed\./)
    expect(dryRun.stdout).toMatch(
      /0002_feature_tags\.sql → 0003_feature_tags\.sql\n {2}0003_feature_labels\.sql → 0004_feature_labels\.sql/,
    )
    expect(await migrationsIn()).toContain('0002_feature_tags.sql')
    const renumber = await mig('renumber', '--json')
    expect(jsonOf(renumber).renumbered).toEqual([
      { from: { version: 2, file: '0002_feature_tags.sql' }, to: { version: 3, file: '0003_feature_tags.sql' } },
      { from: { version: 3, file: '0003_feature_labels.sql' }, to: { version: 4, file: '0004_feature_labels.sql' } },
    ])
    expect(await migrationsIn()).toEqual([
      '0001_create_users.sql',
      '0002_main_posts.sql',
      '0003_feature_tags.sql',
      '0004_feature_labels.sql',
    ])
    expect(jsonOf(await mig('up', '--json')).migrations.map((migration: { file: string }) => migration.file)).toEqual([
      '0003_feature_tags.sql',
      '0004_feature_labels.sql',
    ])
    expect((await mig('renumber')).stdout).toMatch(/Nothing to renumber/)
  })

  it('renumber refuses to move an applied migration, and to guess between two new files of one version, renaming nothing', async () => {
    await mergedMain()
    const applied = await mig('renumber', 'migrations/0002_main_posts.sql', '--json')
    expect(applied.exitCode).toBe(2)
    expect(jsonOf(applied).error).toMatchObject({ code: 'MIG_RENUMBER_REFUSED' })
    expect(jsonOf(applied).error.message).toMatch(/0002_main_posts\.sql is applied to the database/)
    await write('0004_main_comments.sql', '-- mig:up\nCREATE TABLE comments (id INTEGER);\n-- mig:down\nDROP TABLE comments;\n')
    await write('0004_feature_notes.sql', '-- mig:up\nCREATE TABLE notes (id INTEGER);\n-- mig:down\nDROP TABLE notes;\n')
    const unsure = await mig('renumber')
    expect(unsure.exitCode).toBe(2)
    expect(unsure.stderr).toMatch(/0004_feature_notes\.sql and 0004_main_comments\.sql share version 4, and neither is applied/)
    expect(await migrationsIn()).toContain('0002_feature_tags.sql')
    const named = jsonOf(await mig('renumber', '0002_feature_tags.sql', '0003_feature_labels.sql', '0004_feature_notes.sql', '--json'))
    expect(named.renumbered.map((move: { to: { file: string } }) => move.to.file)).toEqual([
      '0005_feature_tags.sql',
      '0006_feature_labels.sql',
      '0007_feature_notes.sql',
    ])
  })

  it('renumber that cannot rename a file puts every file back and says so', async () => {
    await mergedMain()
    // A folder in the way of the second file's temporary name makes its rename fail after the first one's.
    await mkdir(join(project, 'migrations', '.0003_feature_labels.sql.renumbering', 'inside'), { recursive: true })
    const failed = await mig('renumber')
    expect(failed.exitCode).toBe(1)
    expect(failed.stderr).toMatch(/Renumbering stopped: .*0003_feature_labels\.sql.*Every file was put back; nothing was renamed\./)
    expect(await migrationsIn()).toEqual([
      '.0003_feature_labels.sql.renumbering',
      '0001_create_users.sql',
      '0002_feature_tags.sql',
      '0002_main_posts.sql',
      '0003_feature_labels.sql',
    ])
  })

  it('renumber keeps timestamp versions for a folder of timestamps', async () => {
    await write('20261101000000_create_users.sql', SQL.createUsers)
    await write('20261201000000_create_posts.sql', SQL.createPosts)
    expect((await mig('up')).exitCode).toBe(0)
    await write('20261115000000_feature_tags.sql', FEATURE['0002_feature_tags.sql'])
    const [move] = jsonOf(await mig('renumber', '--json')).renumbered
    expect(move.from.file).toBe('20261115000000_feature_tags.sql')
    expect(move.to.file).toMatch(/^\d{14}_feature_tags\.sql$/)
    expect(BigInt(move.to.version)).toBeGreaterThan(20261201000000n)
  })

  it('create says when two files share a version, with the fix', async () => {
    await mergedMain()
    const create = await mig('create', 'add_notes')
    expect(create.exitCode).toBe(0)
    expect(create.stderr).toMatch(
      /Version 2 is used by more than one migration: 0002_.*\.sql, 0002_.*\.sql \(two branches merged\?\)\. Run mig renumber/,
    )
    expect(await migrationsIn()).toContain('0004_add_notes.sql')
  })

  it('create --timestamp says when the newest version is later than now, and numbers the file after it', async () => {
    await write('29991231235959_from_the_future.sql', SQL.createUsers)
    const create = await mig('create', 'add_notes', '--timestamp', '--json')
    expect(jsonOf(create).file).toBe('29991231235960_add_notes.sql')
    expect(create.stderr).toMatch(/The newest migration's version, 29991231235959, is later than the time now .*run mig renumber/)
  })

  it('"versions": "timestamp" in the config numbers new files by the time; --sequential overrides it; another value is refused', async () => {
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', versions: 'timestamp' }))
    expect(jsonOf(await mig('create', 'first', '--json')).file).toMatch(/^\d{14}_first\.sql$/)
    expect(jsonOf(await mig('create', 'second', '--sequential', '--json')).file).toMatch(/^\d{14}_second\.sql$/)
    await writeFile(join(project, 'mig.config.json'), JSON.stringify({ url: 'sqlite:./app.db', versions: 'numbers' }))
    const refused = await mig('create', 'third')
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toMatch(/"versions" must be "sequential" or "timestamp", not "numbers"/)
  })

  it('mig hash writes mig.sum; create keeps it current; a folder that differs is refused before anything runs, naming mig hash', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    const hash = await mig('hash')
    expect(hash.stdout).toMatch(/Wrote migrations\/mig\.sum \(1 migration\)/)
    const sum = () => readFile(join(project, 'migrations', 'mig.sum'), 'utf8')
    expect(await sum()).toMatch(/^0001_create_users\.sql sha256:[0-9a-f]{64}\ntotal sha256:[0-9a-f]{64}\n$/m)
    expect((await mig('create', 'add_posts')).exitCode).toBe(0)
    expect(await sum()).toContain('0002_add_posts.sql sha256:')
    await write('0002_add_posts.sql', SQL.createPosts)
    for (const args of [['up'], ['status'], ['up', '--dry-run']]) {
      const run = await mig(...args, '--json')
      expect(run.exitCode).toBe(3)
      expect(jsonOf(run).error).toMatchObject({ code: 'MIG_SUM_MISMATCH', problems: ['0002_add_posts.sql changed'] })
      expect(jsonOf(run).error.message).toContain(
        'Nothing was run. If you wrote or edited these files yourself, run `mig hash` and commit mig.sum with them. After merging',
      )
    }
    expect(existsSync(join(project, 'app.db'))).toBe(false)
    expect((await mig('hash')).exitCode).toBe(0)
    expect((await mig('up')).exitCode).toBe(0)
    expect(await sqliteTables(join(project, 'app.db'))).toEqual(expect.arrayContaining(['users', 'posts']))
  })

  it('after a merge that conflicts in mig.sum, renumber and hash put it right', async () => {
    await mergedMain()
    await writeFile(join(project, 'migrations', 'mig.sum'), '<<<<<<< HEAD\n0002_main_posts.sql sha256:0\n=======\n>>>>>>> feature\n')
    const up = await mig('up')
    expect(up.exitCode).toBe(2)
    expect(up.stderr).toMatch(/MIG_DUPLICATE_VERSION/)
    expect(up.stderr).toContain('point it at the shared one (`--url`, `--dry-run` first) when yours has your branch')
    const renumber = await mig('renumber')
    expect(renumber.exitCode).toBe(0)
    expect(renumber.stdout).toMatch(/Rewrote mig\.sum\./)
    expect(await readFile(join(project, 'migrations', 'mig.sum'), 'utf8')).toMatch(/0004_feature_labels\.sql sha256:/)
    expect((await mig('up')).exitCode).toBe(0)
  })

  it('renumber refuses, renaming nothing, when a file it does not move changed since mig.sum was written', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await write('0002_main_posts.sql', SQL.createPosts)
    expect((await mig('hash')).exitCode).toBe(0)
    expect((await mig('up')).exitCode).toBe(0)
    await write('0002_feature_tags.sql', FEATURE['0002_feature_tags.sql'])
    await write('0001_create_users.sql', `${SQL.createUsers}-- edited while resolving the merge\n`)
    const renumber = await mig('renumber', '--json')
    expect(renumber.exitCode).toBe(3)
    expect(jsonOf(renumber).error).toMatchObject({
      code: 'MIG_SUM_MISMATCH',
      problems: ['0001_create_users.sql changed since mig.sum was written, and mig renumber does not move it (nothing was renamed)'],
    })
    expect(await migrationsIn()).toContain('0002_feature_tags.sql')
  })

  it('a conflicted mig.sum is refused by up and by create, which creates nothing, naming renumber and hash', async () => {
    await write('0001_create_users.sql', SQL.createUsers)
    await writeFile(join(project, 'migrations', 'mig.sum'), '<<<<<<< HEAD\n=======\n>>>>>>> feature\n')
    for (const args of [['up'], ['create', 'add_posts']]) {
      const run = await mig(...args)
      expect(run.exitCode).toBe(3)
      expect(run.stderr).toMatch(
        /mig\.sum does not match the migrations folder: it holds git conflict markers.*`mig renumber`.*`mig hash`/s,
      )
    }
    expect(await migrationsIn()).toEqual(['0001_create_users.sql', 'mig.sum'])
  })
})
