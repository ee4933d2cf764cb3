import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inspect, promisify } from 'node:util'
import {
  DatabaseError,
  DuplicateVersionError,
  fromDirectory,
  InvalidFilenameError,
  InvalidMigrationError,
  InvalidOptionsError,
  MigError,
  MigrationFailedError,
  Migrator,
} from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { type DatabaseSnapshot, snapshotDifference, withClient } from './support/database-snapshot.js'
import { closedPort, startFakePostgres } from './support/fake-postgres-server.js'
import type { Dialect } from './support/runner-process.js'
import { createPostgresDatabase, createSqliteDatabase, type SafetyDatabase } from './support/safety-database.js'
import { countFailures, reportFigures, temporaryFolder } from './support/suite-results.js'

const PASSWORD = 's3cret-pw'
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url))
const figures = {
  malformedInputs: 0,
  invalidUrls: 0,
  unreachableServers: 0,
  passwordChecks: 0,
  tableNames: 0,
  largeFiles: {} as Record<string, unknown>,
  failures: 0,
}

const VALID = '-- mig:up\nCREATE TABLE made_by_migration (id INTEGER);\n'

/** Migration folders that must be refused before anything runs, with the error each must get. */
const MALFORMED: [string, Record<string, string | Buffer>, new (...args: never[]) => MigError][] = [
  ['a file name without a version', { 'create_users.sql': VALID }, InvalidFilenameError],
  ['version 0', { '0000_zero.sql': VALID }, InvalidFilenameError],
  ['an empty name', { '0001_.sql': VALID }, InvalidFilenameError],
  ['a name with a space', { '0001_bad name.sql': VALID }, InvalidFilenameError],
  ['a name with non-ASCII letters', { '0001_über.sql': VALID }, InvalidFilenameError],
  ['a folder named like a migration', { '0001_folder.sql/': '' }, InvalidMigrationError],
  ['a transactional migration that commits part of itself', { '0001_commits.sql': `${VALID}COMMIT;\nSELECT 1;\n` }, InvalidMigrationError],
  ['an upper-case extension', { '0001_shout.SQL': VALID }, InvalidFilenameError],
  ['a Flyway-style name', { 'V1__init.sql': VALID }, InvalidFilenameError],
  ['two files with one version', { '0001_a.sql': VALID, '01_b.sql': VALID }, DuplicateVersionError],
  ['an empty file', { '0001_empty.sql': '' }, InvalidMigrationError],
  ['a file holding only a BOM', { '0001_bom.sql': '\uFEFF' }, InvalidMigrationError],
  ['SQL without annotations', { '0001_bare.sql': 'CREATE TABLE bare (id INTEGER);\n' }, InvalidMigrationError],
  ['down before up', { '0001_down.sql': '-- mig:down\nDROP TABLE x;\n-- mig:up\nCREATE TABLE x (id INTEGER);\n' }, InvalidMigrationError],
  ['up twice', { '0001_twice.sql': `${VALID}-- mig:up\nSELECT 1;\n` }, InvalidMigrationError],
  ['no-transaction inside up', { '0001_late.sql': '-- mig:up\n-- mig:no-transaction\nSELECT 1;\n' }, InvalidMigrationError],
  ['an unknown annotation', { '0001_typo.sql': '-- mig:upgrade\nSELECT 1;\n' }, InvalidMigrationError],
  ['binary garbage', { '0001_garbage.sql': Buffer.from([0x00, 0xff, 0xfe, 0x3b, 0x0a, 0xc3, 0x28, 0x00, 0x80]) }, InvalidMigrationError],
  [
    'a valid migration followed by a malformed one',
    { '0001_ok.sql': VALID, '0002_bad.sql': 'DROP TABLE sentinel;\n' },
    InvalidMigrationError,
  ],
  ['a code migration that does not import', { '0001_ok.sql': VALID, '0002_broken.mjs': 'export const up = (;\n' }, InvalidMigrationError],
  ['a code migration without up', { '0001_ok.sql': VALID, '0002_no_up.mjs': 'export const down = () => {}\n' }, InvalidMigrationError],
]

/** History table names that try to escape quoting, and names that merely need it. */
const HOSTILE_TABLE_NAMES = [
  'x; DROP TABLE sentinel',
  'x"; DROP TABLE sentinel; --',
  "x'; DROP TABLE sentinel; --",
  'public.mig',
  'mig migrations',
  '',
  'a'.repeat(64),
  'mïg',
  '1mig',
  'mig\n',
]
const QUOTED_TABLE_NAMES = ['select', 'Order', '_history', `m${'x'.repeat(62)}`]

countFailures(figures)

let folder: Awaited<ReturnType<typeof temporaryFolder>>
beforeAll(async () => {
  folder = await temporaryFolder('bad-input')
})
afterAll(async () => {
  await folder?.remove()
  reportFigures('bad-input', figures)
})

async function migrationsFolder(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const path = join(folder.path, name)
  await rm(path, { recursive: true, force: true })
  await mkdir(path, { recursive: true })
  for (const [file, content] of Object.entries(files)) {
    // A name ending in "/" is a folder.
    if (file.endsWith('/')) await mkdir(join(path, file))
    else await writeFile(join(path, file), content)
  }
  return path
}

async function execute(database: SafetyDatabase, sql: string): Promise<void> {
  if (database.dialect === 'postgres') {
    await withClient(database.target, (client) => client.query(sql))
    return
  }
  const handle = new Database(database.target)
  try {
    handle.exec(sql)
  } finally {
    handle.close()
  }
}

describe.each(['sqlite', 'postgres'] as const)('bad input on %s gets a typed error and changes nothing', (dialect: Dialect) => {
  let database: SafetyDatabase
  let before: DatabaseSnapshot
  let databases = 0
  beforeEach(async () => {
    database =
      dialect === 'sqlite'
        ? createSqliteDatabase(folder.path, `${dialect}-${++databases}`)
        : await createPostgresDatabase(inject('postgresUrl'))
    await execute(database, "CREATE TABLE sentinel (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO sentinel VALUES (1, 'still here');")
    before = await database.snapshot()
  })
  afterEach(async () => {
    await database.drop()
  })
  const expectUnchanged = async () => {
    expect(snapshotDifference(await database.snapshot(), before)).toBeUndefined()
    expect(await database.history()).toEqual([])
  }

  it.each(MALFORMED)('%s', async (label, files, errorClass) => {
    const source = fromDirectory(await migrationsFolder(label.replace(/\W+/g, '-'), files))
    const failure = await new Migrator({ driver: database.driver(), source }).up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(errorClass)
    const named = Object.keys(files).filter((file) => (failure as Error).message.includes(file.replace(/\/$/, '')))
    expect(named.length, (failure as Error).message).toBeGreaterThan(0)
    await expectUnchanged()
    figures.malformedInputs++
  })

  it('an up section of comments only applies as a no-op, with a warning', async () => {
    const source = fromDirectory(await migrationsFolder('hollow', { '0001_hollow.sql': '-- mig:up\n-- nothing here yet\n\n' }))
    const migrator = new Migrator({ driver: database.driver(), source })
    const warnings: string[] = []
    migrator.on('warning', (event) => warnings.push(event.message))
    await migrator.up()
    expect(warnings.join('\n')).toMatch(/no SQL/)
    expect(snapshotDifference(await database.snapshot(), before)).toBeUndefined()
    figures.malformedInputs++
  })

  it('a missing migrations folder is an InvalidOptionsError', async () => {
    const source = fromDirectory(join(folder.path, 'no-such-folder'))
    await expect(new Migrator({ driver: database.driver(), source }).up()).rejects.toBeInstanceOf(InvalidOptionsError)
    await expectUnchanged()
    figures.malformedInputs++
  })

  it('a migration that fails in the database is rolled back whole and named with its line', async () => {
    const source = fromDirectory(
      await migrationsFolder('fails-at-run-time', {
        '0001_ok.sql': VALID,
        '0002_fails.sql': '-- mig:up\nDELETE FROM sentinel;\nINSERT INTO no_such_table VALUES (1);\n',
      }),
    )
    const failure = await new Migrator({ driver: database.driver(), source }).up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    expect((failure as Error).message).toContain('0002_fails.sql:3')
    expect((await database.history()).map((row) => row.version)).toEqual([1])
    expect((await database.snapshot()).tables.sentinel).toEqual(before.tables.sentinel)
    figures.malformedInputs++
  })

  it('history table names that try injection are refused before connecting; names that need quoting work', async () => {
    for (const table of HOSTILE_TABLE_NAMES) {
      expect(() => new Migrator({ driver: database.driver(), source: fromDirectory(folder.path), table }), table).toThrow(
        InvalidOptionsError,
      )
      figures.tableNames++
    }
    if (dialect === 'postgres') {
      for (const schema of HOSTILE_TABLE_NAMES) {
        expect(() => new Migrator({ driver: database.driver(), source: fromDirectory(folder.path), schema }), schema).toThrow(
          InvalidOptionsError,
        )
        expect(() => postgresDriver({ connectionString: database.target, schema }), schema).toThrow(InvalidOptionsError)
        figures.tableNames += 2
      }
    }
    await expectUnchanged()
    const source = fromDirectory(await migrationsFolder('quoted-names', { '0001_ok.sql': VALID }))
    for (const table of QUOTED_TABLE_NAMES) {
      const result = await new Migrator({ driver: database.driver(), source, table }).up()
      expect(
        result.migrations.map((migration) => migration.version),
        table,
      ).toEqual([1])
      await execute(database, 'DROP TABLE made_by_migration')
      figures.tableNames++
    }
  })

  it('a SQLite migration whose identifiers are named like Object.prototype members (constructor, toString) runs', async () => {
    const source = fromDirectory(
      await migrationsFolder('prototype-names', {
        '0001_names.sql':
          '-- mig:up\nCREATE TABLE constructor (toString TEXT, __proto__ TEXT, valueOf INTEGER);\nINSERT INTO constructor VALUES (1, 2, 3);\n',
      }),
    )
    const result = await new Migrator({ driver: database.driver(), source }).up()
    expect(result.migrations).toHaveLength(1)
    figures.malformedInputs++
  })

  it('a 50 MB migration file is applied whole, in bounded time and memory', async () => {
    const lines = ['-- mig:up', 'CREATE TABLE big (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);']
    const payload = 'x'.repeat(100)
    let size = 0
    while (size < 50 * 1024 * 1024) {
      const line = `INSERT INTO big (id, payload) VALUES (${lines.length - 1}, '${payload}');`
      lines.push(line)
      size += line.length + 1
    }
    const source = fromDirectory(await migrationsFolder('large-file', { '0001_large.sql': lines.join('\n') }))
    const started = performance.now()
    const result = await new Migrator({ driver: database.driver(), source }).up()
    expect(result.migrations).toHaveLength(1)
    expect((await database.snapshot()).tables.big?.rows).toBe(lines.length - 2)
    figures.largeFiles[dialect] = {
      megabytes: 50,
      statements: lines.length - 2,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    }
    await rm(join(folder.path, 'large-file'), { recursive: true, force: true })
  }, 180_000)
})

describe('PostgreSQL connection input gets a clear error and never shows the password', () => {
  const expectNoPassword = (failure: unknown) => {
    expect(failure).toBeInstanceOf(MigError)
    for (const text of [String(failure), (failure as Error).stack ?? '', inspect(failure, { depth: 10 }), JSON.stringify(failure)]) {
      expect(text).not.toContain(PASSWORD)
    }
    figures.passwordChecks++
  }
  const upWith = (connectionString: string, connectTimeoutMs?: number) =>
    new Migrator({
      driver: postgresDriver({ connectionString, connectTimeoutMs }),
      source: fromDirectory(folder.path),
      lockTimeoutMs: 1000,
    })
      .up()
      .catch((error: unknown) => error)

  it('URLs that are not PostgreSQL URLs are refused when the driver is made', () => {
    const urls = [
      `mysql://app:${PASSWORD}@127.0.0.1/db`,
      'not a url',
      '',
      `postgres://app:${PASSWORD}@[::1/db`,
      `postgresql://app:${PASSWORD}@127.0.0.1:99999/db`,
      `http://app:${PASSWORD}@127.0.0.1/db`,
    ]
    for (const connectionString of urls) {
      let failure: unknown
      try {
        postgresDriver({ connectionString })
      } catch (error) {
        failure = error
      }
      expect(failure, connectionString).toBeInstanceOf(InvalidOptionsError)
      expectNoPassword(failure)
      figures.invalidUrls++
    }
    for (const options of [undefined, {}, { connectionString: 42 }]) {
      expect(() => postgresDriver(options as never)).toThrow(InvalidOptionsError)
      figures.invalidUrls++
    }
  })

  it('a closed port fails at once with a DatabaseError', async () => {
    const failure = await upWith(`postgres://app:${PASSWORD}@127.0.0.1:${await closedPort()}/db`)
    expect(failure).toBeInstanceOf(DatabaseError)
    expect((failure as Error).message).toContain('127.0.0.1')
    expectNoPassword(failure)
    figures.unreachableServers++
  })

  it('a server that accepts the connection and never answers fails within the connect timeout', async () => {
    const server = await startFakePostgres('silent')
    try {
      const guard = new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000).unref())
      const failure = await Promise.race([upWith(`postgres://app:${PASSWORD}@127.0.0.1:${server.port}/db`, 1_000), guard])
      expect(failure).toBeInstanceOf(DatabaseError)
      expectNoPassword(failure)
      figures.unreachableServers++
    } finally {
      await server.stop()
    }
  }, 30_000)

  it('a wrong password is refused with a DatabaseError that does not quote it, even when the server does', async () => {
    const server = await startFakePostgres('password')
    try {
      const failure = await upWith(`postgres://app:${PASSWORD}@127.0.0.1:${server.port}/db`)
      expect(failure).toBeInstanceOf(DatabaseError)
      expect((failure as DatabaseError).sqlState).toBe('28P01')
      expect((failure as Error).message).toContain('password authentication failed')
      expectNoPassword(failure)
    } finally {
      await server.stop()
    }
    const real = new URL(inject('postgresUrl'))
    real.username = 'mig_no_such_role'
    real.password = PASSWORD
    expectNoPassword(await upWith(real.toString()))
  })

  it('the mig CLI does not print the password either', async () => {
    const run = promisify(execFile)
    const server = await startFakePostgres('password')
    try {
      const url = `postgres://app:${PASSWORD}@127.0.0.1:${server.port}/db`
      for (const [args, env] of [
        [['status', '--url', url], {}],
        [['up', '--json', '--url', url], {}],
        [['up', '--dir', folder.path], { DATABASE_URL: url }],
        [['up', '--url', `postgres://app:${PASSWORD}@127.0.0.1:${await closedPort()}/db`], {}],
      ] as const) {
        const result = await run(process.execPath, [CLI, ...args], {
          env: { ...process.env, ...env, NO_COLOR: '1' },
          cwd: folder.path,
        }).catch((error: { code: number; stdout: string; stderr: string }) => error)
        expect('code' in result ? result.code : 0, args.join(' ')).not.toBe(0)
        expect(`${result.stdout}${result.stderr}`, args.join(' ')).not.toContain(PASSWORD)
        figures.passwordChecks++
      }
    } finally {
      await server.stop()
    }
  })
})

describe('SQLite file input gets a clear error and changes nothing', () => {
  it('an empty file name is an InvalidOptionsError; a file in a missing folder, a folder, or a file that is not a database a DatabaseError', async () => {
    expect(() => sqliteDriver({ filename: '' })).toThrow(InvalidOptionsError)
    const notADatabase = join(folder.path, 'notes.txt')
    writeFileSync(notADatabase, 'These are notes, not a database. '.repeat(200))
    const contents = readFileSync(notADatabase)
    const source = fromDirectory(await migrationsFolder('sqlite-files', { '0001_ok.sql': VALID }))
    for (const filename of [join(folder.path, 'missing', 'app.db'), folder.path, notADatabase]) {
      const failure = await new Migrator({ driver: sqliteDriver({ filename }), source }).up().catch((error: unknown) => error)
      expect(failure, filename).toBeInstanceOf(DatabaseError)
      figures.malformedInputs++
    }
    expect(readFileSync(notADatabase).equals(contents)).toBe(true)
  })
})
