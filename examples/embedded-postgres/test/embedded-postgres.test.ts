import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { checksumOf, fromList } from '@mig/core'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, expect, inject, it } from 'vitest'
import { buildBundle } from '../build.mjs'
import { startService } from '../src/service.mjs'

const example = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)

interface Started {
  code: number
  stdout: string
  stderr: string
}

/** Starts the service in a process of its own, as a deployment would. */
async function start(entry: string, databaseUrl: string, cwd: string): Promise<Started> {
  try {
    const { stdout, stderr } = await run(process.execPath, [entry], { cwd, env: { ...process.env, DATABASE_URL: databaseUrl } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const startFromFolder = () => start(join(example, 'src', 'main.mjs'), database.url, example)
const startBundle = () => start(join(deploy, 'app.mjs'), database.url, deploy)

async function sql<Row>(text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    return (await client.query(text)).rows as Row[]
  } finally {
    await client.end()
  }
}

const history = () => sql<{ version: number; checksum: string }>('SELECT version, checksum FROM mig_migrations ORDER BY version')

async function migrationFiles(): Promise<{ file: string; content: string }[]> {
  const files = (await readdir(join(example, 'migrations'))).sort()
  return Promise.all(files.map(async (file) => ({ file, content: await readFile(join(example, 'migrations', file), 'utf8') })))
}

// The bundle, deployed the way it runs in production: one file, and the database client beside it.
let deploy: string
beforeAll(async () => {
  deploy = await mkdtemp(join(tmpdir(), 'mig-embedded-postgres-deploy-'))
  await buildBundle(join(deploy, 'app.mjs'))
  await mkdir(join(deploy, 'node_modules'))
  await symlink(await realpath(join(example, 'node_modules', 'pg')), join(deploy, 'node_modules', 'pg'), 'dir')
})
afterAll(async () => {
  await rm(deploy, { recursive: true, force: true })
})

let database: TestDatabase
beforeEach(async () => {
  database = await createTestDatabase(inject('postgresUrl'))
})
afterEach(async () => {
  await database.drop()
})

it('the service migrates a fresh database at start-up over its own pool, and a second start applies nothing', async () => {
  const first = await startFromFolder()
  expect(first).toMatchObject({ code: 0, stderr: '' })
  expect(first.stdout).toContain('migrate: applying 0001_create_accounts.sql\n')
  expect(first.stdout).toContain('migrate: applied 0003_index_sessions_by_account.sql in ')
  // The last line comes from a query on the pool mig migrated with: the pool is still usable.
  expect(first.stdout).toMatch(/migrate: applied 3 in \d+ ms\nready: 0 accounts\n$/)
  expect((await history()).map((row) => Number(row.version))).toEqual([1, 2, 3])
  expect(await sql("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'sessions_account_id'::regclass")).toEqual([
    { valid: true },
  ])

  const second = await startFromFolder()
  expect(second).toEqual({ code: 0, stdout: 'migrate: up to date\nready: 0 accounts\n', stderr: '' })
  expect(await history()).toHaveLength(3)
})

it('two replicas starting at once apply each migration exactly once, and both start', async () => {
  const replicas = await Promise.all([startFromFolder(), startFromFolder()])
  expect(replicas.map((replica) => replica.code)).toEqual([0, 0])
  const applying = replicas.flatMap((replica) => replica.stdout.split('\n').filter((line) => line.startsWith('migrate: applying ')))
  expect(applying.sort()).toEqual([
    'migrate: applying 0001_create_accounts.sql',
    'migrate: applying 0002_create_sessions.sql',
    'migrate: applying 0003_index_sessions_by_account.sql',
  ])
  for (const replica of replicas) expect(replica.stdout).toMatch(/ready: 0 accounts\n$/)
  expect(await history()).toHaveLength(3)
})

it('the bundle is one file that migrates a fresh database with no migrations folder on disk', async () => {
  expect((await readdir(deploy)).sort()).toEqual(['app.mjs', 'node_modules'])
  expect(await readdir(join(deploy, 'node_modules'))).toEqual(['pg'])
  const bundle = await readFile(join(deploy, 'app.mjs'), 'utf8')
  expect(bundle).not.toMatch(/from ["']@mig\//)

  const started = await startBundle()
  expect(started).toMatchObject({ code: 0, stderr: '' })
  expect(started.stdout).toMatch(/migrate: applied 3 in \d+ ms\nready: 0 accounts\n$/)
  expect((await history()).map((row) => Number(row.version))).toEqual([1, 2, 3])
})

it('the bundle agrees with the folder on every checksum: after the service migrated, it applies nothing', async () => {
  await startFromFolder()
  const applied = await history()
  expect(applied.map((row) => row.checksum)).toEqual((await migrationFiles()).map(({ content }) => checksumOf(content)))

  const bundled = await startBundle()
  expect(bundled).toEqual({ code: 0, stdout: 'migrate: up to date\nready: 0 accounts\n', stderr: '' })
  expect(await history()).toEqual(applied)
})

it('the service refuses to start when a migration fails, keeping what was applied before it', async () => {
  const broken = { file: '0004_add_account_owner.sql', content: '-- mig:up\nALTER TABLE account ADD COLUMN owner text;\n' }
  const lines: string[] = []
  const log = {
    info: (message: string) => lines.push(`info ${message}`),
    warn: (message: string) => lines.push(`warn ${message}`),
    error: (message: string) => lines.push(`error ${message}`),
  }
  const code = await startService({ databaseUrl: database.url, source: fromList([...(await migrationFiles()), broken]), log })

  expect(code).toBe(1)
  expect(lines.at(-1)).toMatch(/^error refusing to start: MIG_MIGRATION_FAILED .*0004_add_account_owner\.sql/s)
  expect(lines.join('\n')).not.toContain('ready:')
  expect((await history()).map((row) => Number(row.version))).toEqual([1, 2, 3])
})
