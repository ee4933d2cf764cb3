import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  DuplicateVersionError,
  fromList,
  InvalidOptionsError,
  IrreversibleMigrationError,
  type ListedMigration,
  Migrator,
  parseMigrationFilename,
} from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { logEvent } from '../src/events.js'

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-history-edges-'))
  filename = join(folder, 'app.db')
})

afterEach(() => rm(folder, { recursive: true, force: true }))

const migrator = (migrations: readonly ListedMigration[]) =>
  new Migrator({ driver: sqliteDriver({ filename }), source: fromList(migrations) })
const file = (name: string, content: string): ListedMigration => ({ file: name, content })

async function run(sql: string): Promise<Record<string, unknown>[]> {
  const session = await sqliteDriver({ filename }).connect()
  try {
    return await session.query(sql)
  } finally {
    await session.close()
  }
}

describe('redo', () => {
  it('does nothing when no migration is applied', async () => {
    const result = await migrator([file('0001_a.sql', '-- mig:up\nCREATE TABLE a (id INTEGER);\n')]).redo()
    expect(result.reverted.migrations).toEqual([])
    expect(result.applied.migrations).toEqual([])
  })

  it('refuses an unchanged newest migration without a down section, and reverts nothing', async () => {
    const migrations = [file('0001_a.sql', '-- mig:up\nCREATE TABLE a (id INTEGER);\n')]
    await migrator(migrations).up()
    await expect(migrator(migrations).redo()).rejects.toThrow(IrreversibleMigrationError)
    expect(await run("SELECT name FROM sqlite_master WHERE name = 'a'")).toEqual([{ name: 'a' }])
  })

  it('reverts an edited no-transaction migration outside a transaction, as it was applied', async () => {
    await migrator([
      file('0001_a.sql', '-- mig:no-transaction\n-- mig:up\nCREATE TABLE a (id INTEGER);\n-- mig:down\nDROP TABLE a;\n'),
    ]).up()
    const [row] = await run('SELECT down_sql FROM mig_migrations')
    expect(row?.down_sql).toBe('-- mig:no-transaction\nDROP TABLE a;\n')
    const edited = [file('0001_a.sql', '-- mig:up\nCREATE TABLE b (id INTEGER);\n-- mig:down\nDROP TABLE b;\n')]
    const reverting: boolean[] = []
    const runner = migrator(edited)
    runner.on('reverting', (event) => reverting.push(event.transaction))
    await runner.redo()
    expect(reverting).toEqual([false])
    expect(await run("SELECT name FROM sqlite_master WHERE name IN ('a', 'b')")).toEqual([{ name: 'b' }])
  })
})

describe('an edited applied migration', () => {
  const applied = '-- mig:up\nCREATE TABLE a (id INTEGER);\n-- mig:down\nDROP TABLE a;\n'
  const edited = '-- mig:up\nCREATE TABLE a (id INTEGER, name TEXT);\n-- mig:down\nDROP TABLE a;\n'

  it('is refused with mig redo as the way out when it is the newest applied one', async () => {
    await migrator([file('0001_a.sql', applied)]).up()
    await expect(migrator([file('0001_a.sql', edited)]).up()).rejects.toThrow(/`mig redo` reverts it with the down SQL recorded/)
    const result = await migrator([file('0001_a.sql', edited)]).redo()
    expect(result.applied.migrations.map((migration) => migration.file)).toEqual(['0001_a.sql'])
  })

  it('is refused without mig redo when a newer migration is applied after it', async () => {
    const second = file('0002_b.sql', '-- mig:up\nCREATE TABLE b (id INTEGER);\n-- mig:down\nDROP TABLE b;\n')
    await migrator([file('0001_a.sql', applied), second]).up()
    const refusal = migrator([file('0001_a.sql', edited), second]).up()
    await expect(refusal).rejects.toThrow(/mig repair 1 --accept-checksum`\.$/)
  })
})

describe('empty migrations', () => {
  it('a dry run says the empty one and every one after it wait', async () => {
    const runner = migrator([
      file('0001_empty.sql', '-- mig:up\n-- to do\n'),
      file('0002_b.sql', '-- mig:up\nCREATE TABLE b (id INTEGER);\n'),
      file('0003_c.sql', '-- mig:up\nCREATE TABLE c (id INTEGER);\n'),
    ])
    const warnings: string[] = []
    runner.on('warning', (event) => warnings.push(event.message))
    expect(await runner.plan({ direction: 'up' })).toEqual([])
    expect(warnings).toEqual([
      'its up section holds no SQL yet, so it stays pending and is not applied; 0002_b.sql, 0003_c.sql after it wait too. Write the migration, then run up again.',
    ])
  })
})

describe('upgrading an older history table', () => {
  it('an upgrade that cannot copy a row is rolled back and changes nothing', async () => {
    const migrations = [file('0001_a.sql', '-- mig:up\nSELECT 1;\n'), file('0002_b.sql', '-- mig:up\nCREATE TABLE b (id INTEGER);\n')]
    const [first] = await fromList(migrations).list()
    // A table made by hand in the old layout, but without its NOT NULL on applied_by.
    await run(`CREATE TABLE mig_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, state TEXT NOT NULL,
      applied_at TEXT NOT NULL, execution_ms INTEGER NOT NULL, applied_by TEXT, detail TEXT)`)
    await run(`INSERT INTO mig_migrations VALUES (1, 'a', '${first?.checksum}', 'applied', '2026-01-01T00:00:00.000Z', 1, NULL, NULL)`)
    await expect(migrator(migrations).up()).rejects.toThrow(/NOT NULL constraint failed/)
    expect(await run('SELECT version, applied_by FROM mig_migrations')).toEqual([{ version: 1, applied_by: null }])
    expect(await run("SELECT name FROM sqlite_master WHERE name IN ('b', 'mig_migrations_upgrading')")).toEqual([])
  })

  it('a row mig cannot read can be removed with repair --forget once its file is gone', async () => {
    await run(`CREATE TABLE mig_migrations (version TEXT PRIMARY KEY, name TEXT, checksum TEXT, state TEXT, applied_at TEXT,
      execution_ms INTEGER, applied_by TEXT, detail TEXT, file TEXT, down_sql TEXT)`)
    await run("INSERT INTO mig_migrations VALUES ('1', 'a', 'sha256:x', 'running', 'later', 1, 'someone', NULL, NULL, NULL)")
    await migrator([]).repair({ version: 1, resolution: 'forget' })
    expect(await run('SELECT * FROM mig_migrations')).toEqual([])
  })
})

describe('versions', () => {
  it('a number beyond 2^53 is refused as a target, with the way to give it exactly', async () => {
    const runner = migrator([file('0001_a.sql', '-- mig:up\nSELECT 1;\n')])
    await expect(runner.up({ to: 2 ** 60 })).rejects.toThrow(/beyond 2\^53, give it as a bigint/)
    await expect(runner.down({ to: -1 })).rejects.toThrow(InvalidOptionsError)
    await expect(runner.repair({ version: 'x' as never, resolution: 'forget' })).rejects.toThrow(/needs a migration version/)
    await expect(runner.baseline({ to: 0, force: true })).rejects.toThrow(InvalidOptionsError)
  })

  it('errors write a long version as its digits', () => {
    const version = parseMigrationFilename('20210410175418000001_a.sql').version
    expect(new DuplicateVersionError({ version, files: ['a', 'b'] }).toJSON()).toMatchObject({ version: '20210410175418000001' })
  })

  it('the log says when a finished migration commits with the rest of the run', () => {
    const lines: string[] = []
    const logger = { info: (line: string) => lines.push(line) }
    const migration = { version: 1, name: 'a', file: '0001_a.sql' }
    logEvent(logger, { type: 'migrated', migration, durationMs: 3, committed: false })
    logEvent(logger, { type: 'reverted', migration, durationMs: 2, committed: true })
    expect(lines).toEqual(['applied 0001_a.sql in 3 ms (commits with the run)', 'reverted 0001_a.sql in 2 ms'])
  })
})
