import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase, startTestPostgres, type TestDatabase, type TestPostgresServer } from '@mig-internal/test-postgres'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
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
    expect(run.stderr).toMatch(/Give down only one of to, step, all and missing/)
  })
})

describe('on PostgreSQL', () => {
  let server: TestPostgresServer
  let database: TestDatabase

  beforeAll(async () => {
    server = await startTestPostgres()
  })
  afterAll(() => server?.stop())
  beforeEach(async () => {
    database = await createTestDatabase(server.url)
    environment = { DATABASE_URL: database.url }
    await newProject('branches-postgres', {})
  })
  afterEach(async () => {
    await removeProject()
    await database.drop()
  })

  switchingBranches(() => postgresTables(database.url))

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
