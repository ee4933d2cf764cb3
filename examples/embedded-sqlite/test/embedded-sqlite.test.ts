import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { checksumOf, fromList } from '@mig/core'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest'
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
async function start(entry: string, databaseFile: string, cwd: string): Promise<Started> {
  try {
    const { stdout, stderr } = await run(process.execPath, [entry], { cwd, env: { ...process.env, DATABASE_FILE: databaseFile } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const startFromFolder = (databaseFile: string) => start(join(example, 'src', 'main.mjs'), databaseFile, example)
const startBundle = (databaseFile: string) => start(join(deploy, 'app.mjs'), databaseFile, deploy)

function history(databaseFile: string): { version: number | string; checksum: string }[] {
  const database = new Database(databaseFile, { readonly: true })
  try {
    return database.prepare('SELECT version, checksum FROM mig_migrations ORDER BY version').all() as {
      version: number | string
      checksum: string
    }[]
  } finally {
    database.close()
  }
}

async function migrationFiles(): Promise<{ file: string; content: string }[]> {
  const files = (await readdir(join(example, 'migrations'))).sort()
  return Promise.all(files.map(async (file) => ({ file, content: await readFile(join(example, 'migrations', file), 'utf8') })))
}

// The bundle, deployed the way it runs in production: one file, and the native client beside it.
let deploy: string
beforeAll(async () => {
  deploy = await mkdtemp(join(tmpdir(), 'mig-embedded-sqlite-deploy-'))
  await buildBundle(join(deploy, 'app.mjs'))
  await mkdir(join(deploy, 'node_modules'))
  await symlink(await realpath(join(example, 'node_modules', 'better-sqlite3')), join(deploy, 'node_modules', 'better-sqlite3'), 'dir')
})
afterAll(async () => {
  await rm(deploy, { recursive: true, force: true })
})

let folder: string
let databaseFile: string
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-embedded-sqlite-'))
  databaseFile = join(folder, 'bookmarks.db')
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

it('the service migrates a fresh database at start-up, and a second start applies nothing', async () => {
  const first = await startFromFolder(databaseFile)
  expect(first).toMatchObject({ code: 0, stderr: '' })
  expect(first.stdout).toContain('migrate: applying 0001_create_bookmarks.sql\n')
  expect(first.stdout).toContain('migrate: applied 0003_use_wal_journal.sql in ')
  expect(first.stdout).toMatch(/migrate: applied 3 in \d+ ms\nready: 0 bookmarks\n$/)
  expect(history(databaseFile).map((row) => Number(row.version))).toEqual([1, 2, 3])

  const second = await startFromFolder(databaseFile)
  expect(second).toEqual({ code: 0, stdout: 'migrate: up to date\nready: 0 bookmarks\n', stderr: '' })
  expect(history(databaseFile)).toHaveLength(3)
  const database = new Database(databaseFile, { readonly: true })
  expect(database.pragma('journal_mode', { simple: true })).toBe('wal')
  database.close()
})

it('two replicas starting at once apply each migration exactly once, and both start', async () => {
  const replicas = await Promise.all([startFromFolder(databaseFile), startFromFolder(databaseFile)])
  expect(replicas.map((replica) => replica.code)).toEqual([0, 0])
  const applying = replicas.flatMap((replica) => replica.stdout.split('\n').filter((line) => line.startsWith('migrate: applying ')))
  expect(applying.sort()).toEqual([
    'migrate: applying 0001_create_bookmarks.sql',
    'migrate: applying 0002_add_tags.sql',
    'migrate: applying 0003_use_wal_journal.sql',
  ])
  for (const replica of replicas) expect(replica.stdout).toMatch(/ready: 0 bookmarks\n$/)
  expect(history(databaseFile)).toHaveLength(3)
})

it('the bundle is one file that migrates a fresh database with no migrations folder on disk', async () => {
  expect((await readdir(deploy)).sort()).toEqual(['app.mjs', 'node_modules'])
  expect(await readdir(join(deploy, 'node_modules'))).toEqual(['better-sqlite3'])
  const bundle = await readFile(join(deploy, 'app.mjs'), 'utf8')
  expect(bundle).not.toMatch(/from ["']@mig\//)

  const started = await startBundle(databaseFile)
  expect(started).toMatchObject({ code: 0, stderr: '' })
  expect(started.stdout).toMatch(/migrate: applied 3 in \d+ ms\nready: 0 bookmarks\n$/)
  expect(history(databaseFile).map((row) => Number(row.version))).toEqual([1, 2, 3])
})

it('the bundle agrees with the folder on every checksum: after the service migrated, it applies nothing', async () => {
  await startFromFolder(databaseFile)
  const applied = history(databaseFile)
  expect(applied.map((row) => row.checksum)).toEqual((await migrationFiles()).map(({ content }) => checksumOf(content)))

  const bundled = await startBundle(databaseFile)
  expect(bundled).toEqual({ code: 0, stdout: 'migrate: up to date\nready: 0 bookmarks\n', stderr: '' })
  expect(history(databaseFile)).toEqual(applied)
})

function capture() {
  const lines: string[] = []
  return {
    lines,
    log: {
      info: (message: string) => lines.push(`info ${message}`),
      warn: (message: string) => lines.push(`warn ${message}`),
      error: (message: string) => lines.push(`error ${message}`),
    },
  }
}

it('the service refuses to start when a migration fails, keeping what was applied before it', async () => {
  const broken = { file: '0004_add_bookmark_owner.sql', content: '-- mig:up\nALTER TABLE bookmark ADD COLUMN owner TEXT;\n' }
  const { lines, log } = capture()
  const code = await startService({ databaseFile, source: fromList([...(await migrationFiles()), broken]), log })

  expect(code).toBe(1)
  expect(lines.at(-1)).toMatch(/^error refusing to start: MIG_MIGRATION_FAILED .*0004_add_bookmark_owner\.sql/s)
  expect(lines.join('\n')).not.toContain('ready:')
  expect(history(databaseFile).map((row) => Number(row.version))).toEqual([1, 2, 3])
})

it('the service refuses to start when an applied migration was edited', async () => {
  await startFromFolder(databaseFile)
  const [first, ...rest] = await migrationFiles()
  const edited = { file: first?.file ?? '', content: `${first?.content}\n-- an edit after the fact\n` }
  const { lines, log } = capture()
  const code = await startService({ databaseFile, source: fromList([edited, ...rest]), log })

  expect(code).toBe(1)
  expect(lines).toEqual([expect.stringMatching(/^error refusing to start: MIG_CHECKSUM_MISMATCH .*0001_create_bookmarks\.sql/s)])
})
