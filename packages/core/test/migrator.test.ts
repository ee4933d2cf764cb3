import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AbortedError,
  ChecksumMismatchError,
  DatabaseError,
  type Driver,
  fromDirectory,
  fromList,
  InvalidOptionsError,
  IrreversibleMigrationError,
  LockTimeoutError,
  MigrationFailedError,
  Migrator,
  MissingMigrationError,
  OutOfOrderMigrationError,
  PartialMigrationError,
  ReplacedMigrationError,
  UnknownVersionError,
} from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { describeHolder } from '../src/errors.js'
import { holdMigrationLock } from '../src/testing/index.js'

const table = (version: number, name = `t${version}`) => ({
  version,
  name,
  up: `CREATE TABLE ${name} (id INTEGER)`,
  down: `DROP TABLE ${name}`,
})

let folder: string
let driver: Driver

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-migrator-'))
  driver = sqliteDriver({ filename: join(folder, 'app.db') })
})

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

describe('options are checked before anything is touched', () => {
  it('refuses a migrator without a driver or a source, or with options the driver cannot honour', () => {
    expect(() => new Migrator(undefined as never)).toThrow(/needs a driver/)
    expect(() => new Migrator({ driver } as never)).toThrow(/needs a source/)
    expect(() => new Migrator({ driver, source: fromList([]), schema: 'app' })).toThrow(/no schemas/)
    expect(() => new Migrator({ driver, source: fromList([]), lockTimeoutMs: -1 })).toThrow(InvalidOptionsError)
    expect(() => new Migrator({ driver, source: fromList([]), transactionMode: 'batch' as never })).toThrow(/per-migration" or "single"/)
    const noTransactionalDdl = { ...driver, capabilities: { ...driver.capabilities, transactionalDdl: false } }
    expect(() => new Migrator({ driver: noTransactionalDdl, source: fromList([table(1)]), transactionMode: 'single' })).toThrow(
      /cannot roll back DDL, so transactionMode "single" is not available/,
    )
    expect(() => new Migrator({ driver, source: fromList([]), schema: '1bad' } as never)).toThrow(InvalidOptionsError)
  })

  it('refuses an option it does not take, as a JavaScript caller would misspell it, naming the options it has', () => {
    expect(() => new Migrator({ driver, source: fromList([]), lockWait: 30_000 } as never)).toThrow(
      new InvalidOptionsError(
        'Migrator has no option "lockWait"; its options are driver, source, table, schema, allowOutOfOrder, lockWaitMs, lockTimeoutMs, transactionMode, lockTimeoutRetries, appliedBy, logger, placeholders.',
      ),
    )
  })

  it('says which options of up and down go together, as the CLI spells them too', async () => {
    const migrator = new Migrator({ driver, source: fromList([]) })
    await expect(migrator.up({ to: 1, step: 1 })).rejects.toThrow(
      new InvalidOptionsError('up takes to or step, not both (--to or --step in the CLI).'),
    )
    await expect(migrator.down({ step: 1, missing: true })).rejects.toThrow(
      new InvalidOptionsError('down takes only one of to, step, all and missing (--to, --step, --all, --missing in the CLI).'),
    )
  })

  it.each([
    ['up with both to and step', (migrator: Migrator) => migrator.up({ to: 1, step: 1 })],
    ['up to a version that is not a positive integer', (migrator: Migrator) => migrator.up({ to: -3 })],
    ['up with a step of zero', (migrator: Migrator) => migrator.up({ step: 0 })],
    ['down with both to and all', (migrator: Migrator) => migrator.down({ to: 0, all: true })],
    ['down to a negative version', (migrator: Migrator) => migrator.down({ to: -1 })],
    ['down with a fractional step', (migrator: Migrator) => migrator.down({ step: 1.5 })],
    ['a plan with bad options', (migrator: Migrator) => migrator.plan({ direction: 'down', step: -1 })],
    ['baseline with force but without a version', (migrator: Migrator) => migrator.baseline({ force: true })],
    ['baseline to version zero', (migrator: Migrator) => migrator.baseline({ to: 0 })],
    ['repair without a resolution', (migrator: Migrator) => migrator.repair({ version: 1 } as never)],
    [
      'repair of a repeatable with another resolution',
      (migrator: Migrator) => migrator.repair({ repeatable: 'views', resolution: 'applied' } as never),
    ],
    [
      'repair of a repeatable and a version at once',
      (migrator: Migrator) => migrator.repair({ repeatable: 'views', version: 1, resolution: 'forget' } as never),
    ],
    ['repair of a repeatable with an empty name', (migrator: Migrator) => migrator.repair({ repeatable: '', resolution: 'forget' })],
  ])('refuses %s', async (_, call) => {
    const migrator = new Migrator({ driver, source: fromList([table(1)]) })
    await expect(call(migrator)).rejects.toThrow(InvalidOptionsError)
  })

  it('names what was given in place of a driver, a source or a logger', () => {
    const source = fromList([table(1)])
    // A pool or a connection has a connect() of its own, but is not a driver.
    expect(() => new Migrator({ driver: { connect: async () => ({}) } as never, source })).toThrow(
      'driver must be a mig driver, such as postgresDriver({ pool }) or sqliteDriver({ database }), not an object of another shape.',
    )
    expect(() => new Migrator({ driver, source: 'migrations' as never })).toThrow(
      'source must be a migration source, such as fromDirectory("migrations") or fromList([...]), not the string "migrations".',
    )
    expect(() => new Migrator({ driver, source, logger: console.log as never })).toThrow(
      'logger must be an object with info, warn, error or debug methods, such as console or a pino logger, not a function.',
    )
    expect(() => new Migrator({ driver, source, logger: {} as never })).toThrow(InvalidOptionsError)
  })

  it('refuses an AbortController given as a signal before it opens the database, whether or not there is work', async () => {
    const migrator = new Migrator({ driver, source: fromList([table(1)]) })
    const controller = new AbortController() as never
    await expect(migrator.up({ signal: controller })).rejects.toThrow(
      "signal must be an AbortSignal (an AbortController's signal), not an AbortController.",
    )
    await expect(migrator.down({ cancelSignal: controller })).rejects.toThrow(/^cancelSignal must be an AbortSignal/)
    await expect(migrator.redo({ signal: controller })).rejects.toThrow(InvalidOptionsError)
    await expect(migrator.baseline({ to: 1, force: true, signal: controller })).rejects.toThrow(InvalidOptionsError)
    await expect(migrator.repair({ version: 1, resolution: 'applied', signal: controller })).rejects.toThrow(InvalidOptionsError)
    expect(existsSync(join(folder, 'app.db'))).toBe(false)
    // A signal of another realm (a test environment's AbortSignal) has the shape, not the class.
    const foreign = Object.assign(new EventTarget(), { aborted: false, reason: undefined, throwIfAborted() {} })
    expect((await migrator.up({ signal: foreign as unknown as AbortSignal })).migrations).toHaveLength(1)
    await migrator.down()
    await migrator.up()
    await expect(migrator.up({ signal: controller })).rejects.toThrow(InvalidOptionsError)
    await expect(migrator.overview({ cancelSignal: controller })).rejects.toThrow(/^cancelSignal must be an AbortSignal/)
    await expect(migrator.validate({ cancelSignal: controller })).rejects.toThrow(InvalidOptionsError)
  })

  it('a read told to stop now (cancelSignal) opens no session and throws AbortedError; one not told reads as before', async () => {
    const migrator = new Migrator({ driver, source: fromList([table(1)]) })
    await migrator.up()
    const cancel = new AbortController()
    cancel.abort({ signal: 'SIGINT' })
    let sessions = 0
    const connect = () => {
      sessions++
      return driver.connect()
    }
    const counting = new Migrator({ driver: { ...driver, connect }, source: fromList([table(1)]) })
    for (const read of [
      () => counting.overview({ cancelSignal: cancel.signal }),
      () => counting.status({ cancelSignal: cancel.signal }),
      () => counting.validate({ cancelSignal: cancel.signal }),
      () => counting.hasPending({ cancelSignal: cancel.signal }),
    ]) {
      await expect(read()).rejects.toThrow(AbortedError)
    }
    expect(sessions).toBe(0)
    expect(await counting.validate({ cancelSignal: new AbortController().signal })).toEqual({ applied: 1, pending: 0, running: 0 })
  })

  it('names a target version that no migration has', async () => {
    const migrator = new Migrator({ driver, source: fromList([table(1), table(2)]) })
    await expect(migrator.up({ to: 7 })).rejects.toThrow(UnknownVersionError)
    await expect(migrator.baseline({ to: 7 })).rejects.toThrow(UnknownVersionError)
    await migrator.up()
    await expect(migrator.down({ to: 9 })).rejects.toThrow(/No migration has version 9/)
    await expect(migrator.repair({ version: 1, resolution: 'applied' })).rejects.toThrow(
      /1_t1 did not fail part-way, so "applied" does not apply to it/,
    )
  })
})

describe('an up-to-date database', () => {
  it('needs no lock: up returns at once while another run holds it, and waits only when there is work', async () => {
    await new Migrator({ driver, source: fromList([table(1)]) }).up()
    const held = await holdMigrationLock(driver)
    try {
      await expect(new Migrator({ driver, source: fromList([table(1)]), lockTimeoutMs: 50 }).up()).resolves.toMatchObject({
        migrations: [],
      })
      await expect(new Migrator({ driver, source: fromList([table(1), table(2)]), lockTimeoutMs: 50 }).up()).rejects.toThrow(
        LockTimeoutError,
      )
    } finally {
      await held.release()
    }
  })
})

describe('a run refused by its checks', () => {
  it('writes nothing, not even the history table', async () => {
    const migrator = new Migrator({ driver, source: fromList([table(1)]) })
    await expect(migrator.up({ to: 99 })).rejects.toThrow(UnknownVersionError)
    await expect(migrator.repair({ version: 1, resolution: 'applied' })).rejects.toThrow(/History has no migration 1/)
    const single = new Migrator({
      driver,
      source: fromList([{ ...table(1), transaction: false }]),
      transactionMode: 'single',
    })
    await expect(single.up()).rejects.toThrow(/must run outside a transaction/)
    // A dry run refuses what the run would: it is the run's own check.
    await expect(single.plan({ direction: 'up' })).rejects.toThrow(
      /--single-transaction in the CLI\) cannot include 1_t1, which must run outside/,
    )
    const connection = await driver.connect()
    const tables = await connection.query<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'mig_migrations'",
    )
    await connection.close()
    expect(tables).toEqual([])
  })
})

describe('beforeRun', () => {
  it('sees the plan before anything is written, and refusing it leaves the database as it was', async () => {
    const seen: unknown[][] = []
    const migrator = new Migrator({ driver, source: fromList([table(1), table(2)]) })
    const refused = migrator.up({
      beforeRun: (plan) => {
        seen.push(plan.map((planned) => planned.version))
        throw new InvalidOptionsError('lint says no')
      },
    })
    await expect(refused).rejects.toThrow('lint says no')
    expect(await migrator.hasPending()).toBe(true)
    await migrator.up({ beforeRun: (plan) => void seen.push(plan.map((planned) => planned.version)) })
    await migrator.up({ beforeRun: () => void seen.push([]) })
    expect(seen).toEqual([
      [1, 2],
      [1, 2],
    ])
  })
})

describe('plans', () => {
  it('show what down would revert, newest first, with the SQL', async () => {
    const migrator = new Migrator({
      driver,
      source: fromList([table(1), table(2), { version: 3, name: 'code', up: () => {}, down: () => {} }]),
    })
    await migrator.up()
    const plan = await migrator.plan({ direction: 'down', to: 1 })
    expect(plan.map((entry) => [entry.version, entry.direction, entry.sql])).toEqual([
      [3, 'down', undefined],
      [2, 'down', 'DROP TABLE t2'],
    ])
  })
})

describe('cancelling', () => {
  it('does nothing when the signal is already aborted', async () => {
    const migrator = new Migrator({ driver, source: fromList([table(1)]) })
    await expect(migrator.up({ signal: AbortSignal.abort() })).rejects.toThrow(AbortedError)
    expect(await migrator.hasPending()).toBe(true)
  })

  it("stops waiting for the lock with mig's own error", async () => {
    const held = await holdMigrationLock(driver)
    try {
      const controller = new AbortController()
      const migrator = new Migrator({ driver, source: fromList([table(1)]), lockTimeoutMs: 10_000 })
      migrator.on('lock-waiting', () => controller.abort())
      await expect(migrator.up({ signal: controller.signal })).rejects.toThrow(AbortedError)
    } finally {
      await held.release()
    }
  })

  it('stops between migrations, keeps what was applied and releases the lock', async () => {
    const controller = new AbortController()
    const source = fromList([table(1), { version: 2, name: 'stop_after_me', up: () => controller.abort() }, table(3)])
    const migrator = new Migrator({ driver, source })
    const error = await migrator.up({ signal: controller.signal }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(AbortedError)
    expect((error as Error).message).toMatch(/1_t1, 2_stop_after_me/)
    expect((await migrator.status()).map((entry) => entry.state)).toEqual(['applied', 'applied', 'pending'])
    await expect(new Migrator({ driver, source, lockTimeoutMs: 0 }).up()).resolves.toMatchObject({ migrations: [{ version: 3 }] })
  })
})

describe('failures', () => {
  it('name the file and line when a rollback fails', async () => {
    const source = fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)', down: 'DROP TABLE a;\nDROP TABLE not_there;' }])
    const migrator = new Migrator({ driver, source })
    await migrator.up()
    const error = await migrator.down().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(MigrationFailedError)
    expect((error as Error).message).toMatch(/^Rollback of 1_a:2:1 failed: no such table: not_there/)
    expect((error as Error).message).toMatch(/Nothing else was reverted/)
    expect((await migrator.status())[0]?.state).toBe('applied')
  })

  it('of a long single-transaction run name the first and last migrations rolled back and count them; the JSON form lists all', async () => {
    const source = fromList([
      ...Array.from({ length: 40 }, (_, index) => table(index + 1)),
      { version: 41, name: 'bad', up: 'SELECT * FROM nowhere' },
    ])
    const error = await new Migrator({ driver, source, transactionMode: 'single' }).up().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(MigrationFailedError)
    const { message } = error as MigrationFailedError
    expect(message).toMatch(
      /so 1_t1, 2_t2, 3_t3, … 35 more …, 39_t39, 40_t40 \(40 migrations\), applied before it in that transaction, were rolled back too/,
    )
    expect(message.length).toBeLessThan(500)
    expect((error as MigrationFailedError).toJSON().undone).toHaveLength(40)
    expect(await new Migrator({ driver, source }).status()).toSatisfy((statuses: { state: string }[]) =>
      statuses.every((status) => status.state === 'pending'),
    )
  })

  it('record a code migration that fails outside a transaction as failed', async () => {
    const source = fromList([
      {
        version: 1,
        name: 'code',
        transaction: false,
        up: () => {
          throw new Error('half done')
        },
      },
    ])
    const migrator = new Migrator({ driver, source })
    const error = await migrator.up().catch((caught: unknown) => caught)
    expect((error as Error).message).toMatch(/half done[\s\S]*outside a transaction/)
    const [entry] = await migrator.status()
    expect(entry).toMatchObject({ state: 'failed', detail: 'failed: half done' })
    await expect(migrator.up()).rejects.toThrow(PartialMigrationError)
  })

  it('pass a typed error from a code migration through unchanged', async () => {
    const typed = new InvalidOptionsError('a code migration refused its input')
    const migrator = new Migrator({ driver, source: fromList([{ version: 1, name: 'typed', up: () => Promise.reject(typed) }]) })
    await expect(migrator.up()).rejects.toBe(typed)
  })
})

describe('a migration fresh from mig create', () => {
  it('is not applied while its up section is empty: it stays pending, with a warning, and so do the ones after it', async () => {
    await writeFile(join(folder, '0001_add_users.sql'), '-- mig:up\n\n-- mig:down\n')
    await writeFile(join(folder, '0002_later.sql'), '-- mig:up\nCREATE TABLE later (id INTEGER);\n')
    const migrator = new Migrator({ driver, source: fromDirectory(folder) })
    const warnings: string[] = []
    migrator.on('warning', (event) => warnings.push(`${event.migration?.file}: ${event.message}`))
    expect((await migrator.up()).migrations).toEqual([])
    expect(warnings).toEqual([
      '0001_add_users.sql: its up section holds no SQL yet, so it stays pending and is not applied; 0002_later.sql after it waits too. Write the migration, then run up again.',
    ])
    expect((await migrator.status()).map((status) => status.state)).toEqual(['pending', 'pending'])
    await writeFile(join(folder, '0001_add_users.sql'), '-- mig:up\nCREATE TABLE users (id INTEGER);\n-- mig:down\nDROP TABLE users;\n')
    expect((await migrator.up()).migrations.map((migration) => migration.file)).toEqual(['0001_add_users.sql', '0002_later.sql'])
  })
})

describe('repair', () => {
  it('accepts the new checksum of an edited file only when asked, and only for that file', async () => {
    await writeFile(join(folder, '0001_a.sql'), '-- mig:up\nCREATE TABLE a (id INTEGER);\n')
    const migrator = new Migrator({ driver, source: fromDirectory(folder) })
    await migrator.up()
    await expect(migrator.repair({ version: 1, resolution: 'accept-checksum' })).rejects.toThrow(/is not an applied file that changed/)
    await writeFile(join(folder, '0001_a.sql'), '-- mig:up\n-- creates a\nCREATE TABLE a (id INTEGER);\n')
    await expect(migrator.validate()).rejects.toThrow(/mig repair 1 --accept-checksum/)
    await expect(migrator.repair({ version: 1, resolution: 'forget' })).rejects.toThrow(/still has its file/)
    await migrator.repair({ version: 1, resolution: 'accept-checksum' })
    await expect(migrator.validate()).resolves.toEqual({ applied: 1, pending: 0, running: 0 })
    expect((await migrator.status())[0]).toMatchObject({ state: 'applied', checksumMatches: true })
  })

  it('forgets an applied migration whose file was removed on purpose', async () => {
    const migrator = new Migrator({ driver, source: fromList([table(1), table(2)]) })
    await migrator.up()
    const withoutSecond = new Migrator({ driver, source: fromList([table(1)]) })
    await expect(withoutSecond.up()).rejects.toThrow(/mig repair 2 --forget/)
    await withoutSecond.repair({ version: 2, resolution: 'forget' })
    await expect(withoutSecond.validate()).resolves.toEqual({ applied: 1, pending: 0, running: 0 })
    await expect(withoutSecond.repair({ version: 5, resolution: 'forget' })).rejects.toThrow(/History has no migration 5/)
  })
})

describe('logging', () => {
  it('gives a logger one line per event and prints nothing without one', async () => {
    const lines: string[] = []
    const record = (level: string) => (message: string) => lines.push(`${level} ${message}`)
    const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
    const source = fromList([table(1), { version: 2, name: 'broken', up: 'INSERT INTO nowhere VALUES (1)' }])
    const migrator = new Migrator({ driver, source, logger })
    await migrator.up().catch(() => {})
    await migrator.down()
    await migrator.baseline({ to: 1, force: true })
    expect(lines).toEqual([
      expect.stringMatching(/^debug migration lock acquired after \d+ ms$/),
      'info applying 1_t1',
      'debug 1_t1: CREATE TABLE t1 (id INTEGER)',
      expect.stringMatching(/^info applied 1_t1 in \d+ ms$/),
      'info applying 2_broken',
      'debug 2_broken: INSERT INTO nowhere VALUES (1)',
      expect.stringMatching(/^error Migration 2_broken:1:1 failed: no such table: nowhere/),
      'debug migration lock released',
      expect.stringMatching(/^debug migration lock acquired after \d+ ms$/),
      'info reverting 1_t1',
      'debug 1_t1: DROP TABLE t1',
      expect.stringMatching(/^info reverted 1_t1 in \d+ ms$/),
      'debug migration lock released',
      expect.stringMatching(/^debug migration lock acquired after \d+ ms$/),
      'info baselined 1_t1',
      'debug migration lock released',
    ])
  })

  it('reports waiting, warnings and repairs', async () => {
    const lines: string[] = []
    const logger = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) }
    const source = fromList([
      { version: 1, name: 'partial', transaction: false, up: 'PRAGMA foreign_keys = OFF; INSERT INTO nowhere VALUES (1)' },
    ])
    await new Migrator({ driver, source }).up().catch(() => {})
    await new Migrator({ driver, source, logger }).repair({ version: 1, resolution: 'applied' })
    const inTransaction = fromList([{ version: 1, name: 'partial', up: 'PRAGMA foreign_keys = OFF; INSERT INTO nowhere VALUES (1)' }])
    await new Migrator({ driver: sqliteDriver({ filename: ':memory:' }), source: inTransaction, logger }).up().catch(() => {})
    const held = await driver.connect()
    // A lock row as an older mig version kept it, from another machine.
    await held.runScript(
      'CREATE TABLE mig_migrations_lock (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, acquired_at TEXT NOT NULL)',
    )
    await held.query('INSERT INTO mig_migrations_lock (id, owner, pid, host, acquired_at) VALUES (1, ?, 4242, ?, ?)', [
      'other',
      'ci-runner',
      '2026-11-23T10:00:00.000Z',
    ])
    await held.close()
    await new Migrator({ driver, source, logger, lockTimeoutMs: 50 }).down().catch(() => {})
    expect(lines).toEqual([
      'repaired 1_partial: applied',
      expect.stringMatching(/^1_partial: PRAGMA foreign_keys has no effect/),
      'applying 1_partial',
      'waiting for the migration lock (held by pid 4242 on ci-runner since 2026-11-23T10:00:00.000Z)',
    ])
  })
})

describe('a listener that throws', () => {
  it('stops the run with its error and still releases the lock, so the next run in the process goes ahead', async () => {
    const migrator = new Migrator({ driver, source: fromList([table(1)]), lockWaitMs: 500 })
    const unsubscribe = migrator.on('lock-acquired', () => {
      throw new Error('metrics client not ready')
    })
    await expect(migrator.up()).rejects.toThrow('metrics client not ready')
    unsubscribe()
    const { migrations } = await migrator.up()
    expect(migrations.map((migration) => migration.file)).toEqual(['1_t1'])
    expect(await migrator.status()).toMatchObject([{ version: 1, state: 'applied' }])
  })
})

describe('error messages', () => {
  const migrations = [
    { version: 1, name: 'a', file: '0001_a.sql' },
    { version: 2, name: 'b', file: '0002_b.sql' },
  ]

  it('list every migration concerned', () => {
    expect(new ChecksumMismatchError({ migrations }).message).toMatch(
      /^Applied migrations changed since they were applied: 0001_a\.sql, 0002_b\.sql/,
    )
    expect(
      new MissingMigrationError({ migrations: migrations.map((migration) => ({ ...migration, downRecorded: true })) }).message,
    ).toMatch(/were applied, but the files are gone\. After switching to a branch without them, revert them .*`mig down --missing`/)
    expect(new OutOfOrderMigrationError({ migrations, newestApplied: { version: 3, name: 'c', file: '0003_c.sql' } }).message).toMatch(
      /Pending migrations 0001_a\.sql, 0002_b\.sql are older than 0003_c\.sql.*Renumber them after 3 .*apply them anyway with `mig up --allow-out-of-order`/,
    )
    expect(new PartialMigrationError({ migrations, errors: [] }).message).toMatch(
      /failed part-way outside a transaction\. The database may hold part of them/,
    )
  })

  it('name which missing migrations down --missing can revert, and why not the others', () => {
    const missing = [
      { version: 1, name: 'a', file: '0001_a.sql', downRecorded: false },
      { version: 2, name: 'b', file: '0002_b.ts', downRecorded: false },
      { version: 3, name: 'c', file: '0003_c.sql', downRecorded: true },
    ]
    const { message } = new MissingMigrationError({ migrations: missing })
    expect(message).toContain(
      '`mig down --missing` can revert 0003_c.sql with the down SQL recorded when applied, but not 0002_b.ts (a code migration) ' +
        'and 0001_a.sql (no down section recorded), for which history holds none, and it reverts nothing while those are missing.',
    )
    expect(message).toMatch(/\(`mig repair 1 --forget`, `mig repair 2 --forget`\); then `mig down --missing` reverts 0003_c\.sql\.$/)
  })

  it('point to the migrations folder first when even the oldest applied migration has no file, and never to down --missing, which refuses then', async () => {
    await new Migrator({ driver, source: fromList([table(1), table(2)]) }).up()
    const oldestGoneMigrator = new Migrator({ driver, source: fromList([table(2)]) })
    const oldestGone = await oldestGoneMigrator.up().catch((caught: unknown) => caught)
    expect(oldestGone).toBeInstanceOf(MissingMigrationError)
    expect((oldestGone as Error).message).toBe(
      'History says 1_t1 was applied, but the file is gone. Even the oldest applied migration has no file: first check that this is the right migrations folder ' +
        '(--dir, or "dir" in the config file) and a complete checkout; `mig down --missing` reverts nothing then. ' +
        'If it really is gone on this branch, roll it back on the branch that has it (`mig down --to <the version before it>`), ' +
        'or, if removed on purpose, drop it from history with `mig repair 1 --forget`.',
    )
    await expect(oldestGoneMigrator.down({ missing: true })).rejects.toThrow(/Even the oldest applied migration, 1_t1, has no file/)
    const newestGone = await new Migrator({ driver, source: fromList([table(1)]) }).up().catch((caught: unknown) => caught)
    expect((newestGone as Error).message).toMatch(
      /^History says 2_t2 was applied, but the file is gone\. It is newer than every migration here: if this is an older release starting beside a newer one that applied it \(a rolling deployment, a scaled-up old replica\), run the newer release instead and revert nothing: the newer release depends on it\. After switching to a branch/,
    )
  })

  it('offer down --missing for a replaced migration only when history recorded its down SQL', async () => {
    const replacedBy = fromList([{ version: 1, name: 'other', up: 'CREATE TABLE other (id INTEGER)' }])
    await new Migrator({ driver, source: fromList([{ version: 1, name: 'a', up: 'CREATE TABLE a (id INTEGER)' }]) }).up()
    const withoutDown = await new Migrator({ driver, source: replacedBy }).up().catch((caught: unknown) => caught)
    expect((withoutDown as Error).message).toContain(
      'Either revert the applied one on the branch that has its file (`mig down --to <the version before it>`; history holds no down SQL for it)',
    )
    expect((withoutDown as Error).message).not.toContain('down --missing')
    const recorded = new ReplacedMigrationError({
      replacements: [
        { applied: { version: 1, name: 'a', file: '0001_a.sql' }, file: { version: 1, name: 'other', file: '0001_other.sql' } },
      ],
      newestApplied: 1,
    })
    expect(recorded.message).toContain(
      'Either revert the applied one first, with the down SQL recorded when it was applied (`mig down --missing`)',
    )
  })

  it('offer down --missing for a missing migration only when a replaced one has its down SQL too, since down --missing reverts both', async () => {
    const noDown = { version: 2, name: 't2', up: 'CREATE TABLE t2 (id INTEGER)' }
    await new Migrator({ driver, source: fromList([table(1), noDown, table(3)]) }).up()
    const afterMerge = new Migrator({ driver, source: fromList([table(1), table(2, 'other')]) })
    const refused = await afterMerge.up().catch((caught: unknown) => caught)
    expect(refused).toBeInstanceOf(MissingMigrationError)
    expect((refused as Error).message).toContain(
      '`mig down --missing` can revert 3_t3 with the down SQL recorded when applied, but not 2_t2 (no down section recorded)',
    )
    expect((refused as Error).message).not.toContain('revert it with the down SQL recorded when applied: `mig down --missing`')
    await expect(afterMerge.down({ missing: true })).rejects.toThrow(IrreversibleMigrationError)
    await afterMerge.repair({ version: 2, resolution: 'forget' })
    expect((await afterMerge.down({ missing: true })).migrations.map((migration) => migration.file)).toEqual(['3_t3'])
  })

  it('offer down --missing for a replaced migration only when it is not the oldest applied one, which down --missing refuses', async () => {
    const replacedBy = new Migrator({ driver, source: fromList([{ ...table(1, 'other') }, table(2)]) })
    await new Migrator({ driver, source: fromList([table(1), table(2)]) }).up()
    const oldestReplaced = await replacedBy.up().catch((caught: unknown) => caught)
    expect(oldestReplaced).toBeInstanceOf(ReplacedMigrationError)
    expect((oldestReplaced as Error).message).toContain(
      'Either revert the applied one on the branch that has its file (`mig down --to <the version before it>`; `mig down --missing` never reverts the oldest applied migration)',
    )
    await expect(replacedBy.down({ missing: true })).rejects.toThrow(/Even the oldest applied migration, 1_t1, has no file/)
  })

  it('describe a lock holder with what is known', () => {
    expect(describeHolder({})).toBe('holder unknown')
    expect(
      describeHolder({ pid: 7, host: 'db-1', applicationName: 'mig', clientAddress: '10.0.0.9', since: new Date('2026-11-23T10:00:00Z') }),
    ).toBe('held by pid 7 on db-1 application "mig" from 10.0.0.9 since 2026-11-23T10:00:00.000Z')
    expect(describeHolder({ pid: 7, expiresAt: new Date('2026-11-23T10:00:30Z') })).toBe(
      'held by pid 7, a lease that ends at 2026-11-23T10:00:30.000Z unless its holder renews it',
    )
    expect(new LockTimeoutError({ timeoutMs: 30_000 }).message).toMatch(
      /^Gave up after waiting 30s for the migration lock, which another migration run holds\. Wait/,
    )
    expect(new LockTimeoutError({ timeoutMs: 1_500 }).message).toMatch(/^Gave up after waiting 1\.5s for the migration lock/)
    expect(new LockTimeoutError({ timeoutMs: 200 }).message).toMatch(/^Gave up after waiting 0\.2s for the migration lock/)
  })

  it('carry the database detail and hint into a failed migration', () => {
    const cause = new DatabaseError('column "x" does not exist', {
      sqlState: '42703',
      detail: 'in table a',
      hint: 'Perhaps you meant "y".',
    })
    const error = new MigrationFailedError({
      migration: migrations[0] as never,
      direction: 'up',
      position: { line: 3, column: 8 },
      completed: migrations.slice(1),
      rolledBack: true,
      statement: 'SELECT x',
      cause,
    })
    expect(error.message).toMatch(
      /^Migration 0001_a\.sql:3:8 failed: column "x" does not exist\. Detail: in table a\. Hint: Perhaps you meant "y"\./,
    )
    expect(error.message).toMatch(/This run applied 0002_b\.sql before it; it stays applied\./)
    expect(error.cause).toBe(cause)
    const sentence = new DatabaseError('Gave up waiting for a lock.', { sqlState: '55P03', detail: 'on table a' })
    const failed = new MigrationFailedError({
      migration: migrations[0] as never,
      direction: 'up',
      completed: [],
      rolledBack: true,
      cause: sentence,
    })
    expect(failed.message).toContain('failed: Gave up waiting for a lock. Detail: on table a\n')
  })
})

describe('TypeScript and missing-file edge cases', () => {
  it('lists a migration as missing in status when only history knows it', async () => {
    await writeFile(join(folder, '0001_a.sql'), '-- mig:up\nCREATE TABLE a (id INTEGER);\n')
    await new Migrator({ driver, source: fromDirectory(folder) }).up()
    const status = await new Migrator({ driver, source: fromList([]) }).status()
    expect(status).toEqual([
      expect.objectContaining({ version: 1, name: 'a', file: '0001_a.sql', fileFound: false, checksumMatches: undefined }),
    ])
  })
})
