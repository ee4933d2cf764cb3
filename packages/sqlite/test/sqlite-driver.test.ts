import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { AbortedError, DatabaseError, fromDirectory, fromList, InvalidOptionsError, LockTimeoutError, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startLockHolder } from './lock-holder.js'

const run = promisify(execFile)
const child = new URL('./fixtures/race-child.mjs', import.meta.url).pathname
const editChild = new URL('./fixtures/edit-between-runs-child.mjs', import.meta.url).pathname
const dualPackageChild = new URL('./fixtures/dual-package-child.mjs', import.meta.url).pathname

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-driver-'))
  filename = join(folder, 'app.db')
})

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

function inspect<T>(sql: string): T {
  const database = new Database(filename)
  try {
    return database.prepare(sql).get() as T
  } finally {
    database.close()
  }
}

describe('the SQLite lock across processes', () => {
  it('four processes running up at once apply each migration exactly once', async () => {
    const migrations = join(folder, 'migrations')
    await rm(migrations, { recursive: true, force: true })
    await import('node:fs/promises').then(({ mkdir }) => mkdir(migrations))
    for (let version = 1; version <= 15; version++) {
      await writeFile(
        join(migrations, `${String(version).padStart(4, '0')}_t${version}.sql`),
        `-- mig:up\nCREATE TABLE t${version} (id INTEGER);\nINSERT INTO t${version} VALUES (${version});\n-- mig:down\nDROP TABLE t${version};\n`,
      )
    }
    const results = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, [child, filename, migrations])))
    const applied = results.flatMap((result) => JSON.parse(result.stdout) as number[]).sort((a, b) => a - b)
    expect(applied).toEqual(Array.from({ length: 15 }, (_, index) => index + 1))
    expect(inspect<{ n: number }>('SELECT COUNT(*) AS n FROM mig_migrations').n).toBe(15)
  })

  it('waits while another process holds the lock, and takes it as soon as that process is killed', async () => {
    const holder = await startLockHolder(filename)
    try {
      const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }])
      const waiting = await new Migrator({ driver: sqliteDriver({ filename }), source, lockWaitMs: 300 })
        .up()
        .catch((error: unknown) => error)
      expect(waiting).toBeInstanceOf(LockTimeoutError)
      expect((waiting as Error).message).toContain(`pid ${holder.pid} on ${hostname()}`)
      holder.kill('SIGKILL')
      const result = await new Migrator({ driver: sqliteDriver({ filename }), source, lockWaitMs: 30_000 }).up()
      expect(result.migrations).toHaveLength(1)
    } finally {
      holder.kill('SIGKILL')
    }
  })

  it('a runner reaching the database through a symlink waits for the lock of one reaching it by its own path', async () => {
    new Database(filename).close()
    const link = join(folder, 'link.db')
    await symlink(filename, link)
    const holder = await startLockHolder(filename)
    try {
      const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }])
      const waiting = await new Migrator({ driver: sqliteDriver({ filename: link }), source, lockWaitMs: 300 })
        .up()
        .catch((error: unknown) => error)
      expect(waiting).toBeInstanceOf(LockTimeoutError)
      expect(existsSync(`${link}.mig_migrations.lock`)).toBe(false)
      expect(inspect<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'a'").n).toBe(0)
    } finally {
      holder.kill('SIGKILL')
    }
  })

  it('a runner reaching a database not created yet through a symlink shares the lock of one naming the file, and creates it where the link points', async () => {
    await mkdir(join(folder, 'data'))
    const target = join(folder, 'data', 'app.db')
    const link = join(folder, 'link.db')
    await symlink(join('data', 'app.db'), link)
    const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }])
    const holder = await startLockHolder(target)
    try {
      const waiting = await new Migrator({ driver: sqliteDriver({ filename: link }), source, lockWaitMs: 300 })
        .up()
        .catch((error: unknown) => error)
      expect(waiting).toBeInstanceOf(LockTimeoutError)
      expect((waiting as Error).message).toContain(`pid ${holder.pid} on ${hostname()}`)
    } finally {
      holder.kill('SIGKILL')
    }
    expect(await readdir(folder)).toEqual(['data', 'link.db'])
    expect(await readdir(join(folder, 'data'))).toEqual(['app.db.mig_migrations.lock'])

    const linked = await startLockHolder(link)
    try {
      const waiting = await new Migrator({ driver: sqliteDriver({ filename: target }), source, lockWaitMs: 300 })
        .up()
        .catch((error: unknown) => error)
      expect(waiting).toBeInstanceOf(LockTimeoutError)
      expect((waiting as Error).message).toContain(`pid ${linked.pid} on ${hostname()}`)
    } finally {
      linked.kill('SIGKILL')
    }
    expect((await new Migrator({ driver: sqliteDriver({ filename: link }), source }).up()).migrations).toHaveLength(1)
    expect((await readdir(join(folder, 'data'))).sort()).toEqual(['app.db', 'app.db.mig_migrations.lock'])
    expect((await new Migrator({ driver: sqliteDriver({ filename: target }), source }).status()).map((entry) => entry.state)).toEqual([
      'applied',
    ])
  })

  it('never takes over a lock row of an older mig version, and says how to clear it by hand', async () => {
    const database = new Database(filename)
    database.exec(
      'CREATE TABLE mig_migrations_lock (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL)',
    )
    database
      .prepare('INSERT INTO mig_migrations_lock VALUES (1, ?, ?, ?, ?)')
      .run('elsewhere', 4242, 'build-agent-7', new Date().toISOString())
    database.close()
    const migrator = new Migrator({
      driver: sqliteDriver({ filename }),
      source: fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }]),
      lockTimeoutMs: 200,
    })
    const error = await migrator.up().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(LockTimeoutError)
    expect((error as Error).message).toMatch(/pid 4242 on build-agent-7/)
    expect((error as Error).message).toContain(`sqlite3 "${filename}" 'DELETE FROM "mig_migrations_lock"'`)
  })

  it('says that another program holds the database busy, naming the file', async () => {
    const other = new Database(filename)
    other.exec('CREATE TABLE busy (id INTEGER); BEGIN IMMEDIATE; INSERT INTO busy VALUES (1)')
    try {
      const error = await new Migrator({
        driver: sqliteDriver({ filename, busyTimeoutMs: 100 }),
        source: fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }]),
      })
        .up()
        .catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(DatabaseError)
      expect((error as Error).message).toContain(`The SQLite database ${filename} stayed locked by another connection`)
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
  })
})

describe('cancellation', () => {
  it('up({ signal }) stops a long run after the migration under way, though the driver is synchronous', async () => {
    const heavy = 'SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT i FROM n)'
    const source = fromList(
      Array.from({ length: 8 }, (_, index) => ({
        version: index + 1,
        name: `heavy_${index + 1}`,
        up: `CREATE TABLE t${index + 1} (id INTEGER); ${heavy}`,
      })),
    )
    const stop = new AbortController()
    const migrator = new Migrator({ driver: sqliteDriver({ filename }), source })
    migrator.on('migrated', () => setTimeout(() => stop.abort(), 0))
    const error = await migrator.up({ signal: stop.signal }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AbortedError)
    const completed = (error as AbortedError).completed.length
    expect(completed).toBeGreaterThanOrEqual(1)
    expect(completed).toBeLessThan(8)
    expect(inspect<{ n: number }>('SELECT COUNT(*) AS n FROM mig_migrations').n).toBe(completed)
  })
})

describe('a cancel that comes while a statement runs', () => {
  /** A database whose SQL function cancel_run() cancels the run from inside a statement, as a second Ctrl-C during a long one does. */
  function cancellingDatabase(cancel: AbortController) {
    const database = new Database(filename)
    database.function('cancel_run', () => {
      cancel.abort(new Error('second signal'))
      return 1
    })
    return database
  }
  const tables = () => new Database(filename).prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()

  it('rolls a transactional migration back once the statement returns, instead of committing it', async () => {
    const cancel = new AbortController()
    const database = cancellingDatabase(cancel)
    const source = fromList([
      { version: 1, name: 'first', up: 'CREATE TABLE first (id INTEGER)' },
      { version: 2, name: 'slow', up: 'CREATE TABLE slow (id INTEGER);\nSELECT cancel_run();\nCREATE TABLE after_slow (id INTEGER);' },
    ])
    const error = await new Migrator({ driver: sqliteDriver({ database }), source })
      .up({ cancelSignal: cancel.signal })
      .catch((caught: unknown) => caught)
    database.close()
    expect(error).toBeInstanceOf(AbortedError)
    expect((error as AbortedError).completed.map((migration) => migration.file)).toEqual(['1_first'])
    expect((error as AbortedError).interrupted).toMatchObject({ migration: { version: 2 }, rolledBack: true })
    expect(tables()).toEqual(['first', 'mig_migrations'])
  })

  it('stops a no-transaction migration before its next statement and records it as failed', async () => {
    const cancel = new AbortController()
    const database = cancellingDatabase(cancel)
    const source = fromList([
      {
        version: 1,
        name: 'slow',
        transaction: false,
        up: 'CREATE TABLE slow (id INTEGER);\nSELECT cancel_run();\nCREATE TABLE after_slow (id INTEGER);',
      },
    ])
    const error = await new Migrator({ driver: sqliteDriver({ database }), source })
      .up({ cancelSignal: cancel.signal })
      .catch((caught: unknown) => caught)
    database.close()
    expect(error).toBeInstanceOf(AbortedError)
    expect((error as AbortedError).interrupted).toMatchObject({ migration: { version: 1 }, rolledBack: false })
    expect(tables()).toEqual(['mig_migrations', 'slow'])
    expect(inspect<{ state: string; detail: string }>('SELECT state, detail FROM mig_migrations')).toEqual({
      state: 'failed',
      detail: 'cancelled before statement 3 of 3',
    })
  })

  // Between a code migration's statements nothing runs on the database to cancel.
  const backfill = (cancel: AbortController, transaction: boolean, inserted: number[] = []) =>
    fromList([
      {
        version: 1,
        name: 'backfill',
        transaction,
        up: async ({ run, query }) => {
          await run('CREATE TABLE items (id INTEGER)')
          for (let id = 1; id <= 100; id++) {
            if (id === 4) cancel.abort(new Error('second signal'))
            await query('INSERT INTO items (id) VALUES (?)', [id])
            inserted.push(id)
          }
        },
      },
    ])

  it('stops a no-transaction code migration before its next statement and records it as failed', async () => {
    const cancel = new AbortController()
    const error = await new Migrator({ driver: sqliteDriver({ filename }), source: backfill(cancel, false) })
      .up({ cancelSignal: cancel.signal })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AbortedError)
    expect((error as AbortedError).interrupted).toMatchObject({ migration: { version: 1 }, rolledBack: false })
    expect(inspect<{ rows: number }>('SELECT count(*) AS rows FROM items')).toEqual({ rows: 3 })
    expect(inspect<{ state: string; detail: string }>('SELECT state, detail FROM mig_migrations')).toEqual({
      state: 'failed',
      detail: 'cancelled before its next statement',
    })
  })

  it('rolls a code migration back at its next statement, without running the rest first', async () => {
    const cancel = new AbortController()
    const inserted: number[] = []
    const error = await new Migrator({ driver: sqliteDriver({ filename }), source: backfill(cancel, true, inserted) })
      .up({ cancelSignal: cancel.signal })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AbortedError)
    expect(inserted).toEqual([1, 2, 3])
    expect((error as AbortedError).interrupted).toMatchObject({ migration: { version: 1 }, rolledBack: true })
    expect(tables()).toEqual(['mig_migrations'])
  })

  it('records a no-transaction code migration that swallowed the refusal as failed, not applied', async () => {
    const cancel = new AbortController()
    const source = fromList([
      {
        version: 1,
        name: 'careless',
        transaction: false,
        up: async ({ run }) => {
          await run('CREATE TABLE first (id INTEGER)')
          cancel.abort(new Error('second signal'))
          await run('CREATE TABLE second (id INTEGER)').catch(() => undefined)
        },
      },
    ])
    const error = await new Migrator({ driver: sqliteDriver({ filename }), source })
      .up({ cancelSignal: cancel.signal })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AbortedError)
    expect(tables()).toEqual(['first', 'mig_migrations'])
    expect(inspect<{ state: string }>('SELECT state FROM mig_migrations')).toEqual({ state: 'failed' })
  })
})

describe('code migrations in a long-running process', () => {
  const createTable = (table: string) => `export async function up({ run }) {\n  await run('CREATE TABLE ${table} (id INTEGER)')\n}\n`
  const migrate = async (rewrite?: string) => {
    const migrations = join(folder, 'migrations')
    await rm(migrations, { recursive: true, force: true })
    await mkdir(migrations)
    await writeFile(join(migrations, '0001_create.mjs'), createTable('first_version'))
    return (await run(process.execPath, [editChild, filename, migrations, ...(rewrite ? [rewrite] : [])])).stdout
  }
  const tables = () => new Database(filename).prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all()

  it('runs a code migration it already imported, unchanged', async () => {
    expect(await migrate()).toBe('applied')
    expect(tables()).toEqual(['first_version', 'mig_migrations'])
  })

  it('refuses a code migration edited after the process imported it, instead of running the old code under the new checksum', async () => {
    expect(await migrate(createTable('second_version'))).toBe(
      'MIG_INVALID_MIGRATION: 0001_create.mjs: changed after this process imported it, and Node keeps the version it imported first. Nothing was run; restart the process.',
    )
    expect(tables()).toEqual([])
  })
})

describe('an application that imports @mig/core and requires @mig/sqlite', () => {
  it("sees the driver's errors as mig's own classes, with the failing line, though two copies of core are loaded", async () => {
    const migrations = join(folder, 'migrations')
    await mkdir(migrations)
    await writeFile(join(migrations, '0001_create.sql'), '-- mig:up\nCREATE TABLE kept (id INTEGER);\n')
    await writeFile(join(migrations, '0002_broken.sql'), '-- mig:up\n\nINSERT INTO nowhere VALUES (1);\n')
    const { stdout } = await run(process.execPath, [dualPackageChild, filename, migrations])
    expect(JSON.parse(stdout)).toEqual({
      twoCopies: true,
      failed: {
        message: expect.stringMatching(/^Migration 0002_broken\.sql:3:1 failed: no such table: nowhere\n/),
        isMigrationFailed: true,
        causeIsDatabaseError: true,
        causeIsMigError: true,
      },
      unopenable: { code: 'MIG_DATABASE_ERROR', isDatabaseError: true, isMigError: true, isLockTimeout: false, isPlainError: true },
    })
    expect(inspect<{ versions: string }>("SELECT group_concat(version || ':' || state) AS versions FROM mig_migrations")).toEqual({
      versions: '1:applied',
    })
  })
})

describe('PRAGMAs', () => {
  // better-sqlite3 turns foreign keys on for every connection, so turning them off (as a table
  // rebuild needs) is what shows whether a PRAGMA took effect.
  const tables =
    'CREATE TABLE parent (id INTEGER PRIMARY KEY);\nCREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));'
  const orphan = { version: 2, name: 'orphan', up: 'INSERT INTO child (id, parent_id) VALUES (1, 999)' }
  const orphans = () => inspect<{ n: number }>('SELECT COUNT(*) AS n FROM child').n

  it('take effect for the run when written in a no-transaction migration', async () => {
    const source = fromList([
      { version: 1, name: 'fk', transaction: false, up: `PRAGMA foreign_keys = OFF;\nPRAGMA journal_mode = WAL;\n${tables}` },
      orphan,
    ])
    await new Migrator({ driver: sqliteDriver({ filename }), source }).up()
    expect(orphans()).toBe(1)
    expect(inspect<{ journal_mode: string }>('PRAGMA journal_mode').journal_mode).toBe('wal')
  })

  it('are reported, not silently dropped, inside a transactional migration', async () => {
    const source = fromList([{ version: 1, name: 'fk', up: `PRAGMA foreign_keys = OFF;\n${tables}` }, orphan])
    const migrator = new Migrator({ driver: sqliteDriver({ filename }), source })
    const warnings: string[] = []
    migrator.on('warning', (event) => warnings.push(event.message))
    await expect(migrator.up()).rejects.toThrow(/1 row of child \(rowid 1\) refers to missing rows of parent/)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /PRAGMA foreign_keys has no effect inside a transaction.*foreign_key_check before it commits: remove the line\./,
    )
  })

  it('set for every connection through the driver options', async () => {
    const source = fromList([{ version: 1, name: 'tables', up: tables }, orphan])
    await new Migrator({ driver: sqliteDriver({ filename, pragmas: { foreign_keys: false } }), source }).up()
    expect(orphans()).toBe(1)
    expect(() => sqliteDriver({ filename, pragmas: { 'foreign_keys = OFF; DROP TABLE x; --': 1 } })).toThrow(InvalidOptionsError)
    expect(() => sqliteDriver({ filename, pragmas: { journal_mode: 'WAL; DROP TABLE x' } })).toThrow(InvalidOptionsError)
  })
})

describe('connections', () => {
  const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)', down: 'DROP TABLE a' }])

  it('leaves an application database open and usable', async () => {
    const database = new Database(filename)
    const migrator = new Migrator({ driver: sqliteDriver({ database }), source })
    await migrator.up()
    expect(await migrator.hasPending()).toBe(false)
    expect(database.open).toBe(true)
    expect(database.prepare('SELECT COUNT(*) AS n FROM a').get()).toEqual({ n: 0 })
    database.close()
  })

  it('keeps an in-memory database for the life of the driver', async () => {
    const migrator = new Migrator({ driver: sqliteDriver({ filename: ':memory:' }), source })
    await migrator.up()
    expect((await migrator.status()).map((entry) => entry.state)).toEqual(['applied'])
    await migrator.down()
    expect((await migrator.status()).map((entry) => entry.state)).toEqual(['pending'])
  })

  it('creates a new database file at its first write: a run refused before it leaves only the lock file, and the next run makes it', async () => {
    const pragmas = { journal_mode: 'WAL' }
    const refused = new Migrator({ driver: sqliteDriver({ filename, pragmas }), source }).up({
      beforeRun: () => {
        throw new Error('refused by a check')
      },
    })
    await expect(refused).rejects.toThrow('refused by a check')
    expect(await readdir(folder)).toEqual(['app.db.mig_migrations.lock'])
    const migrator = new Migrator({ driver: sqliteDriver({ filename, pragmas }), source })
    expect((await migrator.status()).map((entry) => entry.state)).toEqual(['pending'])
    expect(await readdir(folder)).toEqual(['app.db.mig_migrations.lock'])
    await migrator.up()
    expect((await migrator.status()).map((entry) => entry.state)).toEqual(['applied'])
    // The driver's PRAGMAs are set on the file it created, not only on the stand-in before it.
    expect(inspect<{ journal_mode: string }>('PRAGMA journal_mode').journal_mode).toBe('wal')
    expect(await readdir(folder)).toContain('app.db.mig_migrations.lock')
  })

  it('reads the database that appeared while it waited for the lock, instead of the empty one it first saw', async () => {
    const elsewhere = join(folder, 'elsewhere.db')
    await new Migrator({ driver: sqliteDriver({ filename: elsewhere }), source }).up()
    const holder = await startLockHolder(filename)
    try {
      const waiting = new Migrator({ driver: sqliteDriver({ filename }), source, lockWaitMs: 30_000 }).up()
      await new Promise((resolve) => setTimeout(resolve, 300))
      await copyFile(elsewhere, filename)
      holder.kill()
      expect((await waiting).migrations).toEqual([])
    } finally {
      holder.kill()
    }
    expect(inspect<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'a'").n).toBe(1)
  })

  it('refuses options it cannot use', () => {
    expect(() => sqliteDriver({} as never)).toThrow(InvalidOptionsError)
    expect(() => sqliteDriver({ filename, busyTimeoutMs: -1 })).toThrow(InvalidOptionsError)
    expect(() => sqliteDriver({ filename, busyTimeout: 100, foreignKeys: true } as never)).toThrow(
      'sqliteDriver has no option "busyTimeout" or "foreignKeys"; its options are filename, database, pragmas, busyTimeoutMs, missingFile.',
    )
  })

  it('refuses a file name or the Database itself where the database or the driver belongs, before anything opens', () => {
    expect(() => sqliteDriver({ database: filename as never })).toThrow(
      `database must be a better-sqlite3 Database, such as new Database("app.db"); for a file name, give { filename: ${JSON.stringify(filename)} }.`,
    )
    const database = new Database(':memory:')
    try {
      expect(() => new Migrator({ driver: database as never, source })).toThrow('driver must be a mig driver')
    } finally {
      database.close()
    }
    expect(existsSync(filename)).toBe(false)
  })

  it('names the file it cannot open, and a folder that does not exist with the fix', async () => {
    const missing = join(folder, 'no-such-folder', 'app.db')
    const error = await new Migrator({ driver: sqliteDriver({ filename: missing }), source }).up().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DatabaseError)
    expect((error as Error).message).toBe(`Cannot open the SQLite database ${missing}: its folder ${dirname(missing)} does not exist.`)
    expect((error as DatabaseError).hint).toBe('Check the path in the URL, or create the folder; mig up then creates the database in it.')
    expect(existsSync(dirname(missing))).toBe(false)
  })

  it("with missingFile 'read-as-empty', reads an empty database through a dangling symlink or in a folder that does not exist, creating nothing", async () => {
    const link = join(folder, 'link.db')
    await symlink(join(folder, 'target.db'), link)
    for (const path of [link, join(folder, 'no-such-folder', 'app.db')]) {
      const status = await new Migrator({ driver: sqliteDriver({ filename: path, missingFile: 'read-as-empty' }), source }).status()
      expect(status.map((entry) => entry.state)).toEqual(['pending'])
    }
    expect(await readdir(folder)).toEqual(['link.db'])
  })

  it("with missingFile 'refuse', refuses a file that does not exist without creating it, and opens one that does", async () => {
    const driver = sqliteDriver({ filename, missingFile: 'refuse' })
    const error = await new Migrator({ driver, source }).status().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DatabaseError)
    expect((error as DatabaseError).message).toBe(`The SQLite database ${filename} does not exist, so mig created nothing.`)
    expect((error as DatabaseError).hint).toContain('mig up creates the file')
    expect(existsSync(filename)).toBe(false)
    await new Migrator({ driver: sqliteDriver({ filename }), source }).up()
    expect((await new Migrator({ driver, source }).status()).map((entry) => entry.state)).toEqual(['applied'])
  })

  it('runs code migrations written as ES modules and CommonJS from a folder', async () => {
    const migrations = join(folder, 'code')
    await import('node:fs/promises').then(({ mkdir }) => mkdir(migrations))
    await writeFile(join(migrations, '0001_esm.mjs'), "export async function up({ run }) { await run('CREATE TABLE esm (id INTEGER)') }\n")
    await writeFile(
      join(migrations, '0002_cjs.cjs'),
      "exports.transaction = false\nexports.up = ({ run }) => run('CREATE TABLE cjs (id INTEGER)')\nexports.down = ({ run }) => run('DROP TABLE cjs')\n",
    )
    const migrator = new Migrator({ driver: sqliteDriver({ filename }), source: fromDirectory(migrations) })
    await migrator.up()
    expect(inspect<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('esm', 'cjs')").n).toBe(2)
    await migrator.down()
    expect(inspect<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'cjs'").n).toBe(0)
  })
})

describe('a driver without a repeatables table', () => {
  it('refuses a repeatable migration before anything runs, naming the file and the fix', async () => {
    const driver = sqliteDriver({ filename })
    const withoutRepeatables = {
      ...driver,
      text: {
        ...driver.text,
        historySql: (table: Parameters<typeof driver.text.historySql>[0]) => ({ ...driver.text.historySql(table), repeatables: undefined }),
      },
    }
    const source = fromList([
      { version: 1, name: 'users', up: 'CREATE TABLE users (id INTEGER)' },
      { file: 'repeatable/views.sql', content: 'CREATE VIEW v AS SELECT id FROM users;\n' },
    ])
    await expect(new Migrator({ driver: withoutRepeatables, source }).up()).rejects.toThrow(
      /repeatable\/views\.sql is a repeatable migration, and the sqlite driver cannot record one/,
    )
    expect(inspect<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").n).toBe(0)
  })
})
