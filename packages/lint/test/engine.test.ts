import { LintConfigError, lintMigrations } from '@mig/lint'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { describe, expect, it } from 'vitest'
import { lintPlan, migrations, migrationText, rulesOf } from './lint-helpers.js'

const USERS = migrationText('CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);')
const TWO_INDEXES = 'CREATE INDEX users_email ON users (email);\nCREATE INDEX users_name ON users (name);'

describe('suppressions', () => {
  it('a -- mig:allow line covers the statement after it, not the next one', async () => {
    const result = await lintPlan(
      'postgres',
      migrations(USERS, migrationText(`-- mig:allow index-without-concurrently: 40 rows\n${TWO_INDEXES}`)),
      1,
    )
    expect(result.findings.map((finding) => [finding.rule, finding.line])).toEqual([['index-without-concurrently', 4]])
    expect(result.allowed.map((finding) => [finding.line, finding.allowedBecause])).toEqual([[3, '40 rows']])
  })

  it('a -- mig:allow line above -- mig:up covers the whole file', async () => {
    const text = `-- mig:allow index-without-concurrently: the table has 40 rows\n${migrationText(TWO_INDEXES)}`
    const result = await lintPlan('postgres', migrations(USERS, text), 1)
    expect(result.findings).toEqual([])
    expect(result.allowed).toHaveLength(2)
  })

  it('a -- mig:allow line without a reason, or naming an unknown rule, is an error and allows nothing', async () => {
    const text = migrationText(
      `-- mig:allow index-without-concurrently\nCREATE INDEX users_email ON users (email);\n-- mig:allow no-such-rule: because\n--mig:allow\nSELECT 1;`,
    )
    const result = await lintPlan('postgres', migrations(USERS, text), 1)
    expect(result.findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ['invalid-allow', 2],
      ['invalid-allow', 4],
      ['invalid-allow', 5],
      ['index-without-concurrently', 3],
    ])
    expect(result.findings[0]?.message).toMatch(/without a reason/)
    expect(result.findings[1]?.message).toMatch(/unknown rule "no-such-rule"/)
    expect(result.errors).toBe(4)
  })
})

describe('levels', () => {
  it('the config turns a rule off, or down to a warning', async () => {
    const plan = migrations(USERS, migrationText(TWO_INDEXES))
    expect((await lintPlan('postgres', plan, 1, { rules: { 'index-without-concurrently': 'off' } })).findings).toEqual([])
    const lowered = await lintPlan('postgres', plan, 1, { rules: { 'index-without-concurrently': 'warning' } })
    expect({ errors: lowered.errors, warnings: lowered.warnings }).toEqual({ errors: 0, warnings: 2 })
  })

  it('refuses an unknown rule, an unknown level, and turning invalid-allow off', async () => {
    const plan = migrations(USERS)
    await expect(lintPlan('postgres', plan, 0, { rules: { 'no-such-rule': 'off' } })).rejects.toThrow(/unknown rule "no-such-rule"/)
    // @ts-expect-error: a level that does not exist, as a JSON config could hold
    await expect(lintPlan('postgres', plan, 0, { rules: { 'drop-table': 'fatal' } })).rejects.toBeInstanceOf(LintConfigError)
    await expect(lintPlan('postgres', plan, 0, { rules: { 'invalid-allow': 'off' } })).rejects.toThrow(/cannot change invalid-allow/)
  })
})

describe('the plan', () => {
  it('a pending plan knows what it created; each migration alone (--all) sees earlier ones as existing', async () => {
    const all = migrations(USERS, migrationText('CREATE INDEX users_email ON users (email);'))
    expect((await lintPlan('postgres', all, 0)).findings).toEqual([])
    const each = await lintMigrations({ dialect: 'postgres', migrations: all, scope: { kind: 'each' } })
    expect(rulesOf(each)).toEqual(['index-without-concurrently'])
    expect(each.linted).toBe(2)
    const named = await lintMigrations({ dialect: 'postgres', migrations: all, scope: { kind: 'each', versions: [1] } })
    expect({ linted: named.linted, findings: named.findings }).toEqual({ linted: 1, findings: [] })
  })

  it('follows renames and drops: a table renamed in the plan stays new, a dropped and recreated one is new', async () => {
    const all = migrations(
      USERS,
      migrationText('ALTER TABLE users RENAME TO members;\nDROP TABLE members;\nCREATE TABLE users (id bigint PRIMARY KEY, email text);'),
      migrationText(
        'CREATE INDEX users_email ON users (email);\nCREATE TABLE t (id bigint);\nALTER TABLE t RENAME TO u;\nCREATE INDEX u_id ON u (id);',
      ),
    )
    const result = await lintPlan('postgres', all, 1)
    expect(rulesOf(result)).toEqual(['rename-table', 'drop-table'])
  })

  it('lints a repeatable migration after every versioned one, in name order, in the plan or alone', async () => {
    const repeatable = (name: string, text: string) => ({ version: 0, file: `repeatable/${name}.sql`, text, repeatable: true })
    const all = [
      repeatable('b_indexes', 'CREATE INDEX users_name ON users (name);\n'),
      repeatable('a_views', 'CREATE OR REPLACE VIEW user_emails AS SELECT id, email FROM users;\n'),
      ...migrations(USERS),
    ]
    const planned = await lintMigrations({
      dialect: 'postgres',
      migrations: all,
      scope: { kind: 'plan', pending: [], repeatables: ['repeatable/b_indexes.sql'] },
    })
    expect(planned.findings.map((finding) => [finding.file, finding.rule, finding.line])).toEqual([
      ['repeatable/b_indexes.sql', 'index-without-concurrently', 1],
    ])
    expect(planned.linted).toBe(1)
    // In the same plan as the table's creation, the index is on a new table.
    const withTable = await lintMigrations({
      dialect: 'postgres',
      migrations: all,
      scope: { kind: 'plan', pending: [1], repeatables: ['repeatable/a_views.sql', 'repeatable/b_indexes.sql'] },
    })
    expect(withTable).toMatchObject({ linted: 3, findings: [] })
    const each = await lintMigrations({ dialect: 'postgres', migrations: all, scope: { kind: 'each' } })
    expect(each.findings.map((finding) => finding.file)).toEqual(['repeatable/b_indexes.sql'])
    expect(each.linted).toBe(3)
    const named = await lintMigrations({
      dialect: 'postgres',
      migrations: all,
      scope: { kind: 'each', repeatables: ['repeatable/a_views.sql'] },
    })
    expect({ linted: named.linted, findings: named.findings }).toEqual({ linted: 1, findings: [] })
    const refused = [repeatable('c_bad', '-- mig:no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n'), ...all]
    await expect(lintMigrations({ dialect: 'postgres', migrations: refused, scope: { kind: 'each' } })).rejects.toThrow(
      /a repeatable migration always runs in a transaction/,
    )
  })

  it('skips code migrations and says so, and lints nothing (loading no parser) when nothing is pending', async () => {
    const all = [...migrations(USERS), { version: 2, file: '0002_backfill.ts', text: undefined }]
    expect((await lintPlan('postgres', all, 0)).skipped).toEqual(['0002_backfill.ts'])
    expect(await lintPlan('postgres', all, 2)).toMatchObject({ linted: 0, findings: [], skipped: [] })
  })
})

describe('positions and parse errors', () => {
  it('points at the file line and column, counting characters after non-ASCII text', async () => {
    const text = migrationText("COMMENT ON TABLE users IS 'Benutzer – Konten';\n  CREATE INDEX users_email ON users (email);")
    const [finding] = (await lintPlan('postgres', migrations(USERS, text), 1)).findings
    expect(finding).toMatchObject({ line: 3, column: 3 })
  })

  it('passes an up section with only comments or nothing, as mig create writes it', async () => {
    for (const dialect of ['postgres', 'sqlite'] as const) {
      const result = await lintPlan(
        dialect,
        migrations('-- mig:up\n\n-- mig:down\n', migrationText('-- nothing yet\n/* still nothing */')),
        0,
      )
      expect(result).toMatchObject({ linted: 2, findings: [] })
    }
  })

  it('reports a migration that does not parse as syntax-error at the position PostgreSQL gives', async () => {
    const result = await lintPlan('postgres', migrations(USERS, migrationText('CREATE INDEX ON;\nSELECT 1;')), 1)
    expect(result.findings).toEqual([expect.objectContaining({ rule: 'syntax-error', line: 2, column: 16, level: 'error' })])
  })

  it('learns nothing from an applied migration that does not parse, and still lints the plan', async () => {
    const result = await lintPlan('postgres', migrations(migrationText('CREATE TABEL x;'), USERS, migrationText(TWO_INDEXES)), 2)
    expect(rulesOf(result)).toEqual(['index-without-concurrently', 'index-without-concurrently'])
  })
})

describe('what only a client can run', () => {
  const postgresText = postgresDriver({ connectionString: 'postgres://localhost/app' }).text
  const sqliteText = sqliteDriver({ filename: ':memory:' }).text
  const fixOf = (text: typeof postgresText, statement: string) => text.clientOnly(statement)?.fix as string

  it("names pg_dump's rows after COPY … FROM stdin, at the COPY, with the driver's fix, instead of a syntax error", async () => {
    const rows = migrationText('CREATE TABLE teams (id bigint);\nCOPY public.users (id, email) FROM stdin;\n1\ta@example.com\n\\.\n')
    const result = await lintPlan('postgres', migrations(USERS, rows), 1)
    expect(result.findings).toEqual([
      expect.objectContaining({ rule: 'client-only', level: 'error', file: '0002_step.sql', line: 3, column: 1 }),
    ])
    expect(result.findings[0]?.message).toBe(
      `COPY … FROM STDIN cannot run in a migration, and mig refuses it: ${fixOf(postgresText, 'COPY users FROM stdin;')} Nothing else in the migration was linted.`,
    )
  })

  it('names each psql command at its line', async () => {
    const commands = migrationText("\\connect app\nCREATE INDEX users_email ON users (email);\n\\set team 'core'\n")
    const result = await lintPlan('postgres', migrations(USERS, commands), 1)
    expect(result.findings.map((finding) => [finding.rule, finding.line, finding.message.split(':')[0]])).toEqual([
      ['client-only', 2, '\\connect cannot run in a migration, and mig refuses it'],
      ['client-only', 4, '\\set cannot run in a migration, and mig refuses it'],
    ])
  })

  it('names COPY … TO STDOUT, which parses, and still lints the rest', async () => {
    const copy = migrationText('COPY users TO STDOUT;\nCREATE INDEX users_email ON users (email);')
    const result = await lintPlan('postgres', migrations(USERS, copy), 1)
    expect(result.findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ['client-only', 2],
      ['index-without-concurrently', 3],
    ])
  })

  it("names a sqlite3 dot-command at its line with the driver's fix", async () => {
    const users = migrationText('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);')
    const pasted = migrationText('.import users.csv users\nALTER TABLE users ADD COLUMN code TEXT UNIQUE;\n.read more.sql')
    const result = await lintPlan('sqlite', migrations(users, pasted), 1)
    // The sqlite3 shell reads a dot-command to the end of its line; mig's splitter keeps it with the statement after it.
    expect(result.findings.map((finding) => [finding.rule, finding.line])).toEqual([
      ['client-only', 2],
      ['client-only', 4],
    ])
    expect(result.findings[0]?.message).toBe(`.import cannot run in a migration, and mig refuses it: ${fixOf(sqliteText, '.import a b')}`)
    expect(result.findings[1]?.message).toBe(`.read cannot run in a migration, and mig refuses it: ${fixOf(sqliteText, '.read more.sql')}`)
  })

  it('passes the same words in strings and comments, and can be turned off', async () => {
    const mentions = migrationText("-- \\connect, .read\nINSERT INTO users (email) VALUES ('COPY users FROM STDIN');")
    expect((await lintPlan('postgres', migrations(USERS, mentions), 1)).findings).toEqual([])
    const copy = migrationText('COPY users TO STDOUT;')
    expect((await lintPlan('postgres', migrations(USERS, copy), 1, { rules: { 'client-only': 'off' } })).findings).toEqual([])
  })
})
