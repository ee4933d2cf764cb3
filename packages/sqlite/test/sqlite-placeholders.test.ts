// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are written ${name}, in plain strings on purpose
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromDirectory, Migrator, UnknownPlaceholderError } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-placeholders-'))
  filename = join(folder, 'app.db')
})

afterEach(() => rm(folder, { recursive: true, force: true }))

const write = (file: string, text: string) => writeFile(join(folder, file), text)
const migrator = (placeholders?: Record<string, string>) =>
  new Migrator({ driver: sqliteDriver({ filename }), source: fromDirectory(folder), ...(placeholders && { placeholders }) })
const query = <Row>(sql: string): Row[] => {
  const database = new Database(filename, { readonly: true })
  try {
    return database.prepare(sql).all() as Row[]
  } finally {
    database.close()
  }
}

const NOTES = `-- mig:up
-- a \${comment} stays as written
CREATE TABLE \${prefix}notes (id INTEGER PRIMARY KEY, body TEXT DEFAULT '\${not_a_placeholder}', "\${prefix}kind" TEXT);
INSERT INTO \${prefix}notes (id) VALUES (\${first_id});
-- mig:down
DROP TABLE \${prefix}notes;
`

describe('placeholders on SQLite', () => {
  it('replaces ${name} in SQL code and quoted identifiers, never in strings or comments', async () => {
    await write('0001_notes.sql', NOTES)
    await migrator({ prefix: 'app_', first_id: '7' }).up()
    expect(query<{ id: number; body: string }>('SELECT id, body FROM app_notes')).toEqual([{ id: 7, body: '${not_a_placeholder}' }])
    expect(query<{ name: string }>("SELECT name FROM pragma_table_info('app_notes')").map((column) => column.name)).toEqual([
      'id',
      'body',
      'app_kind',
    ])
  })

  it('names the line of the file as written when a value spans lines, in a repeatable migration too', async () => {
    await mkdir(join(folder, 'repeatable'))
    await write('repeatable/views.sql', 'CREATE VIEW IF NOT EXISTS v AS SELECT ${columns};\nCOMMIT;\n')
    const failure = await migrator({ columns: '1 AS a,\n2 AS b,\n3 AS c' })
      .validate()
      .catch((error: unknown) => error)
    expect((failure as Error).message).toMatch(/^repeatable\/views\.sql:2: COMMIT would end/)
  })

  it('stops before anything runs on a placeholder without a value, naming the file, line and how to define it', async () => {
    await write('0001_notes.sql', NOTES)
    const failure = await migrator({ prefix: 'app_' })
      .up()
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UnknownPlaceholderError)
    expect((failure as UnknownPlaceholderError).toJSON()).toMatchObject({
      code: 'MIG_UNKNOWN_PLACEHOLDER',
      file: '0001_notes.sql',
      line: 4,
      placeholder: 'first_id',
    })
    expect((failure as Error).message).toContain('MIG_PLACEHOLDER_first_id')
    expect(existsSync(filename)).toBe(false)
  })

  it('checksums the file as written, so a new value is not an edited migration', async () => {
    await write('0001_notes.sql', NOTES)
    await migrator({ prefix: 'app_', first_id: '7' }).up()
    const [applied] = await migrator({ prefix: 'app_', first_id: '8' }).status()
    expect(applied).toMatchObject({ state: 'applied', checksumMatches: true })
    await expect(migrator({ prefix: 'app_', first_id: '8' }).validate()).resolves.toMatchObject({ applied: 1, pending: 0 })
  })

  it('-- mig:placeholders everywhere replaces inside strings and comments too', async () => {
    await write('0001_notes.sql', `-- mig:placeholders everywhere\n${NOTES}`)
    await migrator({ prefix: 'app_', first_id: '1', not_a_placeholder: 'filled', comment: 'c' }).up()
    expect(query('SELECT body FROM app_notes')).toEqual([{ body: 'filled' }])
  })

  it('without the placeholders option nothing is replaced, even in a file that opts in everywhere', async () => {
    await write(
      '0001_plain.sql',
      "-- mig:placeholders everywhere\n-- mig:up\nCREATE TABLE plain (body TEXT DEFAULT '${kept}');\nINSERT INTO plain DEFAULT VALUES;\n",
    )
    await migrator().up()
    expect(query<{ body: string }>('SELECT body FROM plain')).toEqual([{ body: '${kept}' }])
  })

  it('the lexer marks strings and comments, not identifiers', () => {
    const sql = `SELECT '\${a}', "\${b}", [\${c}], \`\${d}\` -- \${e}\n/* \${f} */ FROM t`
    const ranges = sqliteDriver({ filename }).text.literalRanges?.(sql) ?? []
    expect(ranges.map((range) => sql.slice(range.start, range.end))).toEqual(["'${a}'", '-- ${e}\n', '/* ${f} */'])
  })
})
