import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  checksumOf,
  DuplicateVersionError,
  fromDirectory,
  fromList,
  InvalidFilenameError,
  InvalidMigrationError,
  InvalidOptionsError,
  type Migration,
  MigrationSumMismatchError,
  Migrator,
  parseMigrationFilename,
} from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

let folder: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sources-'))
})

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

const files = async (entries: Record<string, string>) => {
  for (const [file, content] of Object.entries(entries)) await writeFile(join(folder, file), content)
}

describe('file names', () => {
  it('take the version from the leading digits, compared as integers', () => {
    expect(parseMigrationFilename('0001_create_users.sql')).toEqual({ version: 1, name: 'create_users', kind: 'sql' })
    expect(parseMigrationFilename('20261123120000_add_index.ts')).toEqual({ version: 20261123120000, name: 'add_index', kind: 'code' })
    expect(parseMigrationFilename('10_later.sql').version).toBeGreaterThan(parseMigrationFilename('9_earlier.sql').version)
  })

  it('keep versions longer than 15 digits exact, as big integers', () => {
    expect(parseMigrationFilename('20210410175418000001_a.sql').version).toBe(20210410175418000001n)
    expect(parseMigrationFilename('9007199254740993_b.sql').version).toBe(9007199254740993n)
    expect(parseMigrationFilename('9007199254740991_c.sql').version).toBe(9007199254740991)
    expect(parseMigrationFilename('20210410175418000002_d.sql').version).toBeGreaterThan(
      parseMigrationFilename('20210410175418000001_a.sql').version,
    )
  })

  it.each([
    ['create_users.sql', /does not start with a version/],
    ['0001-create_users.sql', /does not start with a version/],
    ['0001_.sql', /the name after the version, "", must be/],
    ['0001_bad name.sql', /the name after the version, "bad name", must be/],
    ['0000_zero.sql', /version 0 is reserved/],
    ['0001_shout.SQL', /the extension must be lower-case/],
  ])('refuse %s', (file, reason) => {
    expect(() => parseMigrationFilename(file)).toThrow(InvalidFilenameError)
    expect(() => parseMigrationFilename(file)).toThrow(reason)
  })
})

describe('checksums', () => {
  it('are sha256 of the text with the BOM removed and CRLF turned into LF', () => {
    const text = '-- mig:up\nCREATE TABLE a (id INTEGER);\n'
    // sha256sum of the same bytes, computed outside Node.
    expect(checksumOf(text)).toBe('sha256:f7db281da8ac5c56400a6ae447238b16bc7ff030a4e7eec7b4ddd6e4f9dcd526')
    expect(checksumOf(`\ufeff${text.replace(/\n/g, '\r\n')}`)).toBe(checksumOf(text))
    expect(checksumOf(text.replace('a (', 'b ('))).not.toBe(checksumOf(text))
  })

  it('of a file read from disk equal the checksum of its text, whatever its bytes', async () => {
    const texts = {
      '0001_plain.sql': '-- mig:up\nCREATE TABLE a (id INTEGER);\n',
      '0002_bom.sql': '\ufeff-- mig:up\nCREATE TABLE b (id INTEGER);\n',
      '0003_crlf.sql': '-- mig:up\r\nCREATE TABLE c (id INTEGER);\r\n',
      '0004_lone_cr.sql': '-- mig:up\rCREATE TABLE d (id INTEGER);\n',
      '0005_accents.sql': "-- mig:up\nINSERT INTO e VALUES ('café', '日本');\n",
    }
    await files(texts)
    // Not valid UTF-8: read as text, each bad byte becomes U+FFFD.
    await writeFile(join(folder, '0006_latin1.sql'), Buffer.from("-- mig:up\nINSERT INTO f VALUES ('caf\xe9');\n", 'latin1'))
    const listed = await fromDirectory(folder).list()
    const expected = [...Object.values(texts), "-- mig:up\nINSERT INTO f VALUES ('caf\ufffd');\n"].map(checksumOf)
    expect(listed.map((migration) => migration.checksum)).toEqual(expected)
  })
})

describe('fromDirectory', () => {
  it('lists SQL and code migrations and ignores other files', async () => {
    await files({
      '0001_a.sql': '-- mig:up\nSELECT 1;\n',
      '0002_b.mjs': 'export const up = () => {}\n',
      'README.md': '# notes',
      'helpers.js': 'export const shared = 1\n',
      'types.d.ts': 'export {}\n',
    })
    await mkdir(join(folder, 'notes.d'))
    const migrations = await fromDirectory(folder).list()
    expect(migrations.map((migration) => migration.file).sort()).toEqual(['0001_a.sql', '0002_b.mjs'])
  })

  it('names a folder or a dangling link called *.sql as the migration it cannot read, with the fix', async () => {
    await files({ '0001_a.sql': '-- mig:up\nSELECT 1;\n' })
    await mkdir(join(folder, '0002_folder.sql'))
    const error = await fromDirectory(folder)
      .list()
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(InvalidMigrationError)
    expect((error as Error).message).toBe(
      '0002_folder.sql: is a folder, not a migration file. Rename it, or move it out of the migrations folder.',
    )
    await rm(join(folder, '0002_folder.sql'), { recursive: true })
    await symlink(join(folder, 'gone.sql'), join(folder, '0002_link.sql'))
    await expect(fromDirectory(folder).list()).rejects.toThrow(
      '0002_link.sql: is a symbolic link to a file that does not exist. Point the link at the migration, or remove it.',
    )
    await rm(join(folder, '0002_link.sql'))
    await mkdir(join(folder, 'elsewhere'))
    await symlink(join(folder, 'elsewhere'), join(folder, '0002_linked_folder.sql'))
    await expect(fromDirectory(folder).list()).rejects.toThrow('0002_linked_folder.sql: is a link to a folder, not a migration file.')
  })

  it('refuses a SQL file whose name does not parse, before anything runs', async () => {
    await files({ '0001_a.sql': '-- mig:up\nSELECT 1;\n', 'add_users.sql': '-- mig:up\nSELECT 1;\n' })
    await expect(fromDirectory(folder).list()).rejects.toThrow(InvalidFilenameError)
  })

  it('refuses two migrations with one version, naming both', async () => {
    await files({ '0001_a.sql': '-- mig:up\nSELECT 1;\n', '1_b.sql': '-- mig:up\nSELECT 2;\n' })
    const migrator = new Migrator({ driver: sqliteDriver({ filename: ':memory:' }), source: fromDirectory(folder) })
    const error = await migrator.up().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(DuplicateVersionError)
    expect((error as Error).message).toMatch(/0001_a\.sql, 1_b\.sql/)
  })

  it('refuses to load a SQL file that changed after its checksum was taken, so what runs is what was checked', async () => {
    await files({ '0001_a.sql': '-- mig:up\nCREATE TABLE a (id INTEGER);\n' })
    const [listed] = await fromDirectory(folder).list()
    await writeFile(join(folder, '0001_a.sql'), '-- mig:up\nDROP TABLE users;\n')
    const loading = (listed as Migration).load()
    await expect(loading).rejects.toThrow(InvalidMigrationError)
    await expect(loading).rejects.toThrow('0001_a.sql: changed while mig was running')
  })

  it('verifies mig.sum with placeholders on too: substituting values never skips the check', async () => {
    await files({ '0001_a.sql': '-- mig:up\nCREATE TABLE a (id INTEGER);\n', 'mig.sum': 'total sha256:0\n' })
    const migrator = new Migrator({
      driver: sqliteDriver({ filename: ':memory:' }),
      source: fromDirectory(folder),
      placeholders: { schema: 'app' },
    })
    await expect(migrator.up()).rejects.toThrow(MigrationSumMismatchError)
  })

  it('says how to fix a folder that does not exist', async () => {
    await expect(fromDirectory(join(folder, 'nope')).list()).rejects.toThrow(InvalidOptionsError)
    await writeFile(join(folder, 'file'), '')
    await expect(fromDirectory(join(folder, 'file')).list()).rejects.toThrow(/is a file, not a folder/)
  })

  it('refuses a code migration without up, with a bad down or a bad transaction flag', async () => {
    await files({
      '0001_no_up.mjs': 'export const down = () => {}\n',
      '0002_bad_down.mjs': 'export const up = () => {}\nexport const down = 1\n',
      '0003_bad_flag.mjs': "export const up = () => {}\nexport const transaction = 'no'\n",
      '0004_syntax.mjs': 'export const up = (\n',
    })
    const migrations = await fromDirectory(folder).list()
    const errors = await Promise.all(migrations.map((migration) => migration.load().catch((error: unknown) => error as Error)))
    for (const error of errors) expect(error).toBeInstanceOf(InvalidMigrationError)
    expect(errors.map((error) => (error as Error).message)).toEqual([
      expect.stringMatching(/0001_no_up\.mjs: exports no up/),
      expect.stringMatching(/0002_bad_down\.mjs: exports a down that is not a function/),
      expect.stringMatching(/0003_bad_flag\.mjs: exports a transaction flag/),
      expect.stringMatching(/0004_syntax\.mjs: cannot be imported/),
    ])
  })
})

describe('fromList', () => {
  it('checksums a file carried as text exactly like the file on disk', async () => {
    const content = '-- mig:up\nCREATE TABLE a (id INTEGER);\n-- mig:down\nDROP TABLE a;\n'
    await files({ '0001_a.sql': content })
    const [onDisk] = await fromDirectory(folder).list()
    const [bundled] = await fromList([{ file: '0001_a.sql', content }]).list()
    expect(bundled).toMatchObject({ version: 1, name: 'a', file: '0001_a.sql', checksum: onDisk?.checksum })
  })

  it('refuses entries it cannot use', () => {
    expect(() => fromList([{ version: 0, name: 'a', up: 'SELECT 1' }])).toThrow(InvalidFilenameError)
    expect(() => fromList([{ version: 1.5, name: 'a', up: 'SELECT 1' }])).toThrow(InvalidFilenameError)
    expect(() => fromList([{ version: 1, name: 'has space', up: 'SELECT 1' }])).toThrow(InvalidFilenameError)
    expect(() => fromList([{ version: 1, name: 'a', up: '  ' }])).toThrow(InvalidMigrationError)
    expect(() => fromList([{ version: 1, name: 'a', up: 'SELECT 1', down: 42 as never }])).toThrow(InvalidMigrationError)
    // Anything but true or false once ran the migration outside a transaction, as a file's module flag is refused.
    for (const transaction of ['true', 1])
      expect(() => fromList([{ version: 1, name: 'a', up: 'SELECT 1', transaction: transaction as never }])).toThrow(
        '1_a: transaction must be true or false.',
      )
    expect(() => fromList([{ file: '0001_a.mjs', content: 'export const up = () => {}' }])).toThrow(/give its imported module too/)
    expect(() => fromList([{ file: '0001_a.sql', content: 'SELECT 1;' }])).toThrow(InvalidMigrationError)
  })

  it('refuses, from plain JavaScript, a definition without a name and a list that is not an array, before the database is touched', async () => {
    const filename = join(folder, 'app.db')
    const upWith = async (entries: unknown) => new Migrator({ driver: sqliteDriver({ filename }), source: fromList(entries as never) }).up()
    await expect(upWith([{ version: 1, up: 'CREATE TABLE made (id INTEGER)' }])).rejects.toThrow(
      new InvalidMigrationError({ file: 'Version 1', reason: 'has no name: give each definition { version, name, up }.' }),
    )
    await expect(upWith('migrations')).rejects.toThrow(InvalidOptionsError)
    await expect(upWith([null])).rejects.toThrow(InvalidOptionsError)
    expect(existsSync(filename)).toBe(false)
  })

  it('carries a code migration as its source text and module, checksummed like the file', async () => {
    const content = "export const up = ({ run }) => run('CREATE TABLE a (id INTEGER)')\n"
    await files({ '0002_code.mjs': content })
    const [onDisk] = await fromDirectory(folder).list()
    const module = await import(join(folder, '0002_code.mjs'))
    const [bundled] = await fromList([{ file: '0002_code.mjs', content, module }]).list()
    expect(bundled?.checksum).toBe(onDisk?.checksum)
    expect((await bundled?.load())?.up.kind).toBe('code')
  })

  it('changes the checksum when the SQL changes', async () => {
    const [first] = await fromList([{ version: 1, name: 'a', up: 'SELECT 1' }]).list()
    const [second] = await fromList([{ version: 1, name: 'a', up: 'SELECT 2' }]).list()
    expect(first?.checksum).not.toBe(second?.checksum)
  })
})

describe('repeatable migrations in a source', () => {
  it('are the files of repeatable/, named without .sql, checksummed as written, hidden files aside', async () => {
    await mkdir(join(folder, 'repeatable'))
    await files({ '0001_a.sql': '-- mig:up\nSELECT 1;\n', 'repeatable/views.sql': 'SELECT 1;\r\n', 'repeatable/.gitkeep': '' })
    const source = fromDirectory(folder)
    expect((await source.list()).map((migration) => migration.file)).toEqual(['0001_a.sql'])
    const repeatables = (await source.listRepeatables?.()) ?? []
    expect(repeatables.map(({ version, name, file, repeatable, checksum }) => ({ version, name, file, repeatable, checksum }))).toEqual([
      { version: 0, name: 'views', file: 'repeatable/views.sql', repeatable: true, checksum: checksumOf('SELECT 1;\n') },
    ])
    expect(await repeatables[0]?.load()).toEqual({ up: { kind: 'sql', sql: 'SELECT 1;\n', line: 1 }, down: undefined, transaction: true })
  })

  it('refuse a code file, a folder or a bad name in repeatable/, naming it, and a folder without repeatable/ has none', async () => {
    expect(await fromDirectory(folder).listRepeatables?.()).toEqual([])
    await mkdir(join(folder, 'repeatable'))
    await files({ 'repeatable/views.ts': 'export {}' })
    await expect(fromDirectory(folder).listRepeatables?.()).rejects.toThrow(
      /repeatable\/views\.ts: is not a \.sql file: a repeatable migration is SQL only/,
    )
    await rm(join(folder, 'repeatable', 'views.ts'))
    await mkdir(join(folder, 'repeatable', 'nested'))
    await expect(fromDirectory(folder).listRepeatables?.()).rejects.toThrow(/repeatable\/nested: is a folder/)
    await rm(join(folder, 'repeatable', 'nested'), { recursive: true })
    await files({ 'repeatable/bad name.sql': 'SELECT 1;' })
    await expect(fromDirectory(folder).listRepeatables?.()).rejects.toThrow(InvalidMigrationError)
  })

  it('come from fromList as file texts named repeatable/<name>.sql, kept apart from versioned ones', async () => {
    const source = fromList([
      { version: 1, name: 'a', up: 'SELECT 1' },
      { file: 'repeatable/views.sql', content: 'SELECT 2;\n' },
    ])
    expect((await source.list()).map((migration) => migration.file)).toEqual(['1_a'])
    expect((await source.listRepeatables?.())?.map((migration) => migration.file)).toEqual(['repeatable/views.sql'])
    const twice = fromList([
      { file: 'repeatable/views.sql', content: 'SELECT 2;\n' },
      { file: 'repeatable/views.sql', content: 'SELECT 3;\n' },
    ])
    const migrator = new Migrator({ driver: sqliteDriver({ filename: join(folder, 'app.db') }), source: twice })
    await expect(migrator.status()).resolves.toEqual([])
    await expect(migrator.repeatables()).rejects.toThrow(/repeatable\/views\.sql: is listed twice/)
  })
})
