import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Driver } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { queryRows } from './database-state.ts'
import { jsonOf, runMig, temporaryDirectory } from './run-mig.ts'

const MIGRATIONS = {
  '0001_create_users.sql': '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n-- mig:down\nDROP TABLE users;\n',
  '0002_index_emails.sql': '-- mig:up\nCREATE UNIQUE INDEX users_email ON users (email);\n-- mig:down\nDROP INDEX users_email;\n',
}

beforeAll(async () => {})

/** Per dialect: a migration defining objects with a body, the hand-made redefinitions, and what drift says about them. */
const REDEFINED = {
  postgres: {
    migration: `CREATE TYPE status AS ENUM ('a', 'b');
CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT x + 1
$$;`,
    byHand: [
      "ALTER TYPE status ADD VALUE 'archived'",
      'CREATE OR REPLACE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql STABLE AS $$\n  SELECT x + 2\n$$',
    ],
    drift: [
      '  function add_one(x integer): volatility STABLE, migrations say IMMUTABLE',
      '  function add_one(x integer): body differs: `SELECT x + 2`, migrations say `SELECT x + 1`',
      "  enum status: label 'archived' added; labels 'a', 'b', 'archived', migrations say 'a', 'b'",
    ],
  },
  sqlite: {
    migration: `CREATE TRIGGER users_lower AFTER INSERT ON users
BEGIN
  UPDATE users SET email = lower(email) WHERE id = NEW.id;
END;`,
    byHand: [
      'DROP TRIGGER users_lower',
      'CREATE TRIGGER users_lower AFTER INSERT ON users\nBEGIN\n  UPDATE users SET email = trim(email) WHERE id = NEW.id;\nEND',
    ],
    drift: [
      '  trigger users_lower on users: definition differs at line 3: `UPDATE users SET email = trim(email) WHERE id = NEW.id;`, ' +
        'migrations say `UPDATE users SET email = lower(email) WHERE id = NEW.id;`',
    ],
  },
}

describe.each(['sqlite', 'postgres'] as const)('mig dump, drift and test on %s', (dialect) => {
  let project: { path: string; remove: () => Promise<void> }
  let postgres: TestDatabase | undefined
  let url: string
  let driver: () => Driver
  const mig = (...args: string[]) => runMig(args, { cwd: project.path })
  const file = (name: string) => join(project.path, name)

  beforeEach(async () => {
    project = await temporaryDirectory(`schema-${dialect}`)
    if (dialect === 'postgres') {
      postgres = await createTestDatabase(inject('postgresUrl'))
      url = postgres.url
      driver = () => postgresDriver({ connectionString: postgres?.url as string })
    } else {
      url = 'sqlite:./app.db'
      driver = () => sqliteDriver({ filename: file('app.db') })
    }
    await writeFile(file('mig.config.json'), JSON.stringify({ url, dir: 'migrations', dump: { file: 'schema.sql' } }))
    await mkdir(file('migrations'))
    for (const [name, text] of Object.entries(MIGRATIONS)) await writeFile(file(`migrations/${name}`), text)
  })
  afterEach(async () => {
    await project.remove()
    await postgres?.drop()
  })

  it('up writes the configured schema file; dump prints the same bytes, from the database or from the migrations', async () => {
    expect((await mig('up')).stderr).toContain('Wrote schema.sql.')
    const written = await readFile(file('schema.sql'), 'utf8')
    expect(written).toContain('users_email')
    const modified = (await stat(file('schema.sql'))).mtimeMs
    expect((await mig('up')).stderr).not.toContain('Wrote')
    expect((await stat(file('schema.sql'))).mtimeMs).toBe(modified)
    const printed = await mig('dump', '--file', 'other.sql')
    expect(printed.stdout).toBe('')
    expect(printed.stderr).toBe('Wrote other.sql.\n')
    expect(await readFile(file('other.sql'), 'utf8')).toBe(written)
    expect(jsonOf(await mig('dump', '--json'))).toMatchObject({ ok: true, from: 'database', file: 'schema.sql', written: false })
    expect((await mig('dump', '--from-migrations', '--file', 'built.sql')).exitCode).toBe(0)
    expect(await readFile(file('built.sql'), 'utf8')).toBe(written)
    expect((await mig('down')).stderr).toContain('Wrote schema.sql.')
    expect(await readFile(file('schema.sql'), 'utf8')).not.toContain('users_email')
  })

  it('an up that fails after applying some still writes the schema file; dump to stdout leaves the configured file whole', async () => {
    await writeFile(file('migrations/0003_broken.sql'), '-- mig:up\nINSERT INTO no_such_table VALUES (1);\n-- mig:down\nSELECT 1;\n')
    const failed = await mig('up')
    expect(failed.exitCode).not.toBe(0)
    expect(failed.stderr).toContain('Wrote schema.sql.')
    const written = await readFile(file('schema.sql'), 'utf8')
    expect(written).toContain('users_email')
    const redirected = await mig('dump')
    expect(redirected.stdout).toBe('')
    expect(await readFile(file('schema.sql'), 'utf8')).toBe(written)
  })

  it('drift reports nothing after a plain run, a hand-made change object by object with exit 1, and JSON', async () => {
    await mig('up')
    const clean = await mig('drift')
    expect(clean.exitCode).toBe(0)
    expect(clean.stdout).toMatch(
      /^Database: .+\nNo drift: the database holds exactly what the migrations up to 0002_index_emails\.sql build\.\n$/,
    )
    expect(clean.stderr).toBe('')
    await queryRows(driver(), 'CREATE INDEX users_by_hand ON users (id, email)')
    await queryRows(driver(), 'DROP INDEX users_email')
    const drift = await mig('drift')
    expect(drift.exitCode).toBe(1)
    expect(drift.stdout.replace(/^Database: .+\n/, '')).toBe(
      [
        'Drift: 2 differences between the database and what the migrations up to 0002_index_emails.sql build:',
        '  index users_by_hand extra in the database',
        '  index users_email missing in the database',
        '',
      ].join('\n'),
    )
    const json = jsonOf(await mig('drift', '--json'))
    expect(json).toMatchObject({ ok: true, command: 'drift', drifted: true, migration: { version: 2 } })
    expect(json.differences[0]).toMatchObject({ object: 'users', kind: 'index', name: 'users_by_hand', change: 'extra' })
  })

  it('drift before any migration is applied says so, and points a database built by hand to baseline', async () => {
    expect((await mig('db', 'create')).exitCode).toBe(0)
    const empty = await mig('drift')
    expect(empty.stdout.replace(/^Database: .+\n/, '')).toBe('No drift: no migration is applied, and the database holds nothing.\n')
    await queryRows(driver(), 'CREATE TABLE by_hand (id INTEGER)')
    const built = await mig('drift')
    expect(built.exitCode).toBe(1)
    expect(built.stdout.replace(/^Database: .+\n/, '')).toBe(
      [
        'Drift: no migration is applied, yet the database holds 1 object:',
        '  table by_hand extra in the database',
        'A database built without mig is adopted with mig baseline: see docs/adopting-an-existing-database.md.',
        '',
      ].join('\n'),
    )
  })

  it('drift warns when it compared nothing: migrations applied, yet no side holds anything in the schema it reads', async () => {
    for (const name of Object.keys(MIGRATIONS)) await writeFile(file(`migrations/${name}`), '-- mig:up\nSELECT 1;\n')
    expect((await mig('up')).exitCode).toBe(0)
    const drift = await mig('drift')
    expect(drift.exitCode).toBe(0)
    expect(drift.stderr).toContain('Warning: Neither the database nor what the applied migrations build holds anything')
    expect(drift.stderr).toContain('keep the history table in theirs (schema in the config, --schema in the CLI)')
    expect(jsonOf(await mig('drift', '--json'))).toMatchObject({ drifted: false, warning: expect.stringContaining('nothing to compare') })
    await writeFile(file('migrations/0003_create_users.sql'), MIGRATIONS['0001_create_users.sql'])
    expect((await mig('up')).exitCode).toBe(0)
    expect(jsonOf(await mig('drift', '--json'))).toMatchObject({ drifted: false, warning: null })
  })

  it('drift says what changed inside an object redefined by hand, not only that its definition differs', async () => {
    const redefined = REDEFINED[dialect]
    await writeFile(file('migrations/0003_define.sql'), `-- mig:up\n${redefined.migration}\n`)
    expect((await mig('up')).exitCode).toBe(0)
    for (const statement of redefined.byHand) await queryRows(driver(), statement)
    const drift = await mig('drift')
    expect(drift.exitCode).toBe(1)
    expect(drift.stdout.replace(/^Database: .+\n/, '')).toBe(
      [
        `Drift: ${redefined.drift.length} difference${redefined.drift.length > 1 ? 's' : ''} between the database and what the migrations up to 0003_define.sql build:`,
        ...redefined.drift,
        '',
      ].join('\n'),
    )
  })

  it('drift --write drafts a migration that adopts a hand-made change; baseline records it where it was made', async () => {
    await mig('up')
    await queryRows(driver(), 'ALTER TABLE users ADD COLUMN name TEXT')
    await queryRows(driver(), 'CREATE INDEX users_by_name ON users (name)')
    await queryRows(driver(), 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)')
    await queryRows(driver(), 'DROP INDEX users_email')
    const drafted = await mig('drift', '--write', '--json')
    expect(drafted.exitCode).toBe(1)
    expect(jsonOf(drafted).draft).toMatchObject({ file: '0003_adopt_drift.sql', version: 3, byHand: [] })
    const draft = await readFile(file('migrations/0003_adopt_drift.sql'), 'utf8')
    expect(draft).toMatch(/-- mig:up\n[\s\S]*ADD COLUMN "?name"? (TEXT|text)[\s\S]*-- mig:down\n[\s\S]*DROP COLUMN "?name"?/)
    expect((await mig('up')).exitCode).not.toBe(0)
    const baselined = await mig('baseline', '--to', '3')
    expect(baselined.exitCode, baselined.stderr).toBe(0)
    expect((await mig('drift')).exitCode).toBe(0)
    expect((await mig('test')).exitCode).toBe(0)
    expect((await mig('baseline', '--to', '3')).stderr).toContain('there is nothing to baseline')
    expect((await mig('drift', '--name', 'x')).exitCode).toBe(2)
  })

  it('test passes on reversible migrations and fails on a down that forgets an index, naming it', async () => {
    const passed = await mig('test')
    expect(passed.exitCode).toBe(0)
    expect(passed.stdout).toContain('ok  0002_index_emails.sql')
    await writeFile(file('migrations/0003_index_ids.sql'), '-- mig:up\nCREATE INDEX users_ids ON users (id, email);\n-- mig:down\n')
    const irreversible = await mig('test', '--from', '3')
    expect(irreversible.exitCode).toBe(1)
    expect(irreversible.stdout).toContain(
      '0003_index_ids.sql: irreversible (no down section). Write its down section, or accept it with --accept-irreversible 3',
    )
    expect(irreversible.stdout).not.toContain('0002')
    expect((await mig('test', '--accept-irreversible', '3')).exitCode).toBe(0)
    await writeFile(
      file('migrations/0003_index_ids.sql'),
      '-- mig:up\nCREATE INDEX users_ids ON users (id, email);\n-- mig:down\nSELECT 1;\n',
    )
    const failed = await mig('test', '--json')
    expect(failed.exitCode).toBe(1)
    const json = jsonOf(failed)
    expect(json.passed).toBe(false)
    expect(json.migrations[2]).toMatchObject({
      outcome: 'not-restored',
      differences: [{ description: 'index users_ids left over after down' }],
    })
    expect((await mig('test', '--accept-irreversible', 'three')).exitCode).toBe(2)
    for (const typo of [
      ['--from', '99'],
      ['--accept-irreversible', '3,9'],
    ]) {
      const refused = await mig('test', ...typo, '--json')
      expect(refused.exitCode).toBe(2)
      expect(jsonOf(refused).error).toMatchObject({ code: 'MIG_UNKNOWN_VERSION', version: Number(typo[1]?.split(',').at(-1)) })
    }
  })

  it('test tells a code migration without down() to export one, and tests one that has it', async () => {
    await writeFile(
      file('migrations/0003_seed.mjs'),
      "export async function up({ run }) {\n  await run('CREATE TABLE seeds (id INTEGER)')\n}\n",
    )
    const irreversible = await mig('test', '--from', '3')
    expect(irreversible.exitCode).toBe(1)
    expect(irreversible.stdout).toContain(
      '0003_seed.mjs: irreversible (exports no down). Export a down(context), or accept it with --accept-irreversible 3',
    )
    await writeFile(
      file('migrations/0003_seed.mjs'),
      "export async function up({ run }) {\n  await run('CREATE TABLE seeds (id INTEGER)')\n}\nexport async function down({ run }) {\n  await run('DROP TABLE seeds')\n}\n",
    )
    const passed = await mig('test', '--from', '3')
    expect(passed.exitCode, passed.stdout).toBe(0)
    expect(passed.stdout).toContain('ok  0003_seed.mjs')
  })

  it('drift --write and create report a 20-digit version exactly in JSON', async () => {
    await writeFile(file('migrations/20240101000000000001_add_names.sql'), '-- mig:up\nALTER TABLE users ADD COLUMN name TEXT;\n')
    expect((await mig('up')).exitCode).toBe(0)
    await queryRows(driver(), 'CREATE INDEX users_name ON users (name)')
    const drafted = await mig('drift', '--write', '--name', 'adopt', '--json')
    expect(jsonOf(drafted).draft).toMatchObject({ file: '20240101000000000002_adopt.sql', version: '20240101000000000002' })
    const created = await mig('create', 'next', '--json')
    expect(jsonOf(created)).toMatchObject({ file: '20240101000000000003_next.sql', version: '20240101000000000003' })
  })

  it('test takes 20-digit versions for --from and --accept-irreversible', async () => {
    await writeFile(file('migrations/20240101000000000001_add_names.sql'), '-- mig:up\nALTER TABLE users ADD COLUMN name TEXT;\n')
    await writeFile(
      file('migrations/20240101000000000002_index_names.sql'),
      '-- mig:up\nCREATE INDEX users_name ON users (name);\n-- mig:down\nDROP INDEX users_name;\n',
    )
    const tested = await mig('test', '--from', '20240101000000000001', '--accept-irreversible', '20240101000000000001')
    expect(tested.exitCode, tested.stderr).toBe(0)
    expect(tested.stdout).toContain('--  20240101000000000001_add_names.sql: irreversible (no down section), accepted')
    expect(tested.stdout).toContain('ok  20240101000000000002_index_names.sql')
    expect(tested.stdout).not.toContain('0002_index_emails.sql')
  })
})
