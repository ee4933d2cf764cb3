import type { LintConfig, LintDialect } from '@mig/lint'
import { describe, expect, it } from 'vitest'
import { lintPlan, migrations, migrationText, rulesOf } from './lint-helpers.js'
import { fillPlaceholders, PLACEHOLDER, recipeMigrations, sqlLinesOf } from './recipe-migrations.js'

interface RuleExample {
  readonly rule: string
  /** Which form of the rule's finding, when a rule has more than one example. */
  readonly variant?: string
  readonly dialect?: LintDialect
  /** Migration 0001: the tables the statement needs. */
  readonly setup: string
  /** The statement under test, as migration 0002. */
  readonly bad: string
  readonly badMode?: 'transaction' | 'no-transaction'
  /** The start of the line the finding points at, when not the first line of `bad`. */
  readonly flagged?: string
  /** What the user writes for each `<…>` of the recipe the finding prints. */
  readonly fill?: Readonly<Record<string, string>>
  /** The rules the recipe's own `-- mig:allow` lines allow: its last step drops what a deployed release stopped using. */
  readonly recipeAllows?: readonly string[]
  /** The recipe is advice with no SQL to paste. */
  readonly adviceOnly?: true
  /** Rules that are not about a table that exists (a statement that cannot run, hygiene) flag in the same plan too. */
  readonly samePlan: 'passes' | 'flags'
  readonly config?: LintConfig
}

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint, visits integer, legacy text);'
const USERS_AND_ORGS = `CREATE TABLE orgs (id bigint PRIMARY KEY);\n${USERS}`
const SQLITE_USERS = 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);'
const SQLITE_REBUILD =
  'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users_new SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;'
/** The release a recipe's `-- mig:allow` line names, for each column or table a recipe drops. */
const stoppedUsing = (...names: string[]) =>
  Object.fromEntries(names.map((name) => [`<the release that stopped using ${name}>`, `v2.4 stopped using ${name}`]))

const EXAMPLES: readonly RuleExample[] = [
  {
    rule: 'index-without-concurrently',
    setup: USERS,
    bad: 'CREATE INDEX users_email ON users (email);',
    samePlan: 'passes',
  },
  {
    rule: 'drop-index-without-concurrently',
    setup: `${USERS}\nCREATE INDEX users_email ON users (email);`,
    bad: 'DROP INDEX users_email;',
    samePlan: 'passes',
  },
  {
    rule: 'needs-no-transaction',
    setup: USERS,
    bad: 'CREATE INDEX CONCURRENTLY users_email ON users (email);',
    samePlan: 'flags',
  },
  {
    rule: 'reindex-without-concurrently',
    setup: `${USERS}\nCREATE INDEX users_email ON users (email);`,
    bad: 'REINDEX INDEX users_email;',
    samePlan: 'passes',
  },
  {
    rule: 'detach-partition-without-concurrently',
    setup:
      "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
    bad: 'ALTER TABLE events DETACH PARTITION events_2025;',
    samePlan: 'passes',
  },
  {
    rule: 'add-column-volatile-default',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
    samePlan: 'passes',
  },
  {
    rule: 'add-column-volatile-default',
    variant: 'serial',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN position serial;',
    samePlan: 'passes',
  },
  {
    rule: 'add-column-not-null-without-default',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN plan text NOT NULL;',
    fill: { '<value>': "'free'" },
    samePlan: 'passes',
  },
  {
    rule: 'set-not-null',
    setup: USERS,
    bad: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    samePlan: 'passes',
  },
  {
    rule: 'add-check-without-not-valid',
    setup: USERS,
    bad: 'ALTER TABLE users ADD CONSTRAINT email_length CHECK (char_length(email) < 300);',
    samePlan: 'passes',
  },
  {
    rule: 'add-foreign-key-without-not-valid',
    setup: USERS_AND_ORGS,
    bad: 'ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);',
    samePlan: 'passes',
  },
  {
    rule: 'add-foreign-key-without-not-valid',
    variant: 'REFERENCES on a new column',
    setup: USERS_AND_ORGS,
    bad: 'ALTER TABLE users ADD COLUMN team_id bigint REFERENCES orgs (id);',
    fill: { '<type>': 'bigint' },
    samePlan: 'passes',
  },
  {
    rule: 'add-unique-without-index',
    setup: USERS,
    bad: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
    samePlan: 'passes',
  },
  {
    rule: 'add-unique-without-index',
    variant: 'on a new column',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN code text UNIQUE;',
    fill: { '<type>': 'text' },
    samePlan: 'passes',
  },
  {
    rule: 'add-primary-key-without-index',
    setup: 'CREATE TABLE accounts (id bigint NOT NULL, name text);',
    bad: 'ALTER TABLE accounts ADD PRIMARY KEY (id);',
    samePlan: 'passes',
  },
  {
    rule: 'change-column-type',
    setup: USERS,
    bad: 'ALTER TABLE users ALTER COLUMN visits TYPE bigint;',
    fill: stoppedUsing('visits'),
    recipeAllows: ['drop-column'],
    samePlan: 'passes',
  },
  {
    rule: 'rename-table',
    setup: USERS,
    bad: 'ALTER TABLE users RENAME TO members;',
    samePlan: 'passes',
  },
  {
    rule: 'rename-column',
    setup: USERS,
    bad: 'ALTER TABLE users RENAME COLUMN email TO address;',
    fill: { '<type of email>': 'text', ...stoppedUsing('email') },
    recipeAllows: ['drop-column'],
    samePlan: 'passes',
  },
  {
    rule: 'drop-column',
    setup: USERS,
    bad: 'ALTER TABLE users DROP COLUMN legacy;',
    fill: stoppedUsing('legacy'),
    recipeAllows: ['drop-column'],
    samePlan: 'passes',
  },
  {
    rule: 'drop-table',
    setup: USERS,
    bad: 'DROP TABLE users;',
    fill: stoppedUsing('users'),
    recipeAllows: ['drop-table'],
    samePlan: 'passes',
  },
  {
    rule: 'vacuum-full-or-cluster',
    setup: USERS,
    bad: 'VACUUM FULL users;',
    badMode: 'no-transaction',
    samePlan: 'passes',
  },
  {
    rule: 'vacuum-full-or-cluster',
    variant: 'CLUSTER',
    setup: USERS,
    bad: 'CLUSTER users USING users_pkey;',
    samePlan: 'passes',
  },
  {
    rule: 'truncate-cascade',
    setup: `${USERS_AND_ORGS}\nALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);`,
    bad: 'TRUNCATE orgs CASCADE;',
    fill: { '<tables that reference it>': 'users' },
    samePlan: 'flags',
  },
  { rule: 'drop-database', setup: USERS, bad: 'DROP DATABASE old_app;', badMode: 'no-transaction', adviceOnly: true, samePlan: 'flags' },
  {
    rule: 'backfill-in-transaction',
    setup: USERS,
    bad: 'UPDATE users SET email = lower(email);',
    fill: { '<columns>': 'email = lower(email)', '<rows not done yet>': 'email <> lower(email)' },
    samePlan: 'passes',
  },
  {
    rule: 'prefer-bigint',
    setup: USERS,
    bad: 'CREATE TABLE counters (id integer PRIMARY KEY);',
    samePlan: 'flags',
    config: { rules: { 'prefer-bigint': 'warning' } },
  },
  {
    rule: 'prefer-identity',
    setup: USERS,
    bad: 'CREATE TABLE counters (id bigserial PRIMARY KEY);',
    samePlan: 'flags',
    config: { rules: { 'prefer-identity': 'warning' } },
  },
  {
    rule: 'prefer-timestamptz',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN seen_at timestamp;',
    samePlan: 'flags',
    config: { rules: { 'prefer-timestamptz': 'error' } },
  },
  {
    rule: 'prefer-text',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN nick varchar(40);',
    samePlan: 'flags',
    config: { rules: { 'prefer-text': 'warning' } },
  },
  {
    rule: 'sqlite-add-column-refused',
    dialect: 'sqlite',
    setup: SQLITE_USERS,
    bad: 'ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;',
    fill: { '<constant>': "'free'" },
    samePlan: 'passes',
  },
  {
    rule: 'sqlite-add-column-refused',
    variant: 'a non-constant default',
    dialect: 'sqlite',
    setup: SQLITE_USERS,
    bad: 'ALTER TABLE users ADD COLUMN seen_at TEXT DEFAULT CURRENT_TIMESTAMP;',
    fill: {
      '<expression>': 'CURRENT_TIMESTAMP',
      '<every column of users, and the new one>': 'id INTEGER PRIMARY KEY, email TEXT, seen_at TEXT DEFAULT CURRENT_TIMESTAMP',
      '<columns>': 'id, email',
    },
    samePlan: 'passes',
  },
  {
    rule: 'sqlite-add-column-refused',
    variant: 'a REFERENCES column with a default',
    dialect: 'sqlite',
    setup: SQLITE_USERS,
    bad: 'ALTER TABLE users ADD COLUMN invited_by INTEGER REFERENCES users (id) DEFAULT 1;',
    fill: {
      '<value>': '1',
      '<every column of users, and the new one>': 'id INTEGER PRIMARY KEY, email TEXT, invited_by INTEGER REFERENCES users (id) DEFAULT 1',
      '<columns>': 'id, email',
    },
    samePlan: 'passes',
  },
  {
    rule: 'sqlite-add-column-refused',
    variant: 'UNIQUE',
    dialect: 'sqlite',
    setup: SQLITE_USERS,
    bad: 'ALTER TABLE users ADD COLUMN code TEXT UNIQUE;',
    samePlan: 'flags',
  },
  {
    rule: 'sqlite-add-column-refused',
    variant: 'STORED',
    dialect: 'sqlite',
    setup: SQLITE_USERS,
    bad: 'ALTER TABLE users ADD COLUMN email_lower TEXT GENERATED ALWAYS AS (lower(email)) STORED;',
    fill: {
      '<every column of users, and the new one>':
        'id INTEGER PRIMARY KEY, email TEXT, email_lower TEXT GENERATED ALWAYS AS (lower(email)) STORED',
      '<columns>': 'id, email',
    },
    samePlan: 'passes',
  },
  {
    rule: 'sqlite-pragma-no-effect',
    dialect: 'sqlite',
    setup: SQLITE_USERS,
    bad: 'PRAGMA journal_mode = WAL;',
    samePlan: 'flags',
  },
  {
    rule: 'sqlite-rebuild-loses-indexes',
    dialect: 'sqlite',
    setup: `${SQLITE_USERS}\nCREATE INDEX users_email ON users (email);`,
    bad: 'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users_new SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;',
    flagged: 'ALTER TABLE users_new RENAME',
    fill: { '<its columns>': 'email' },
    samePlan: 'flags',
  },
  {
    rule: 'sqlite-rebuild-cascades',
    dialect: 'sqlite',
    setup: `${SQLITE_USERS}\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE);`,
    bad: SQLITE_REBUILD,
    badMode: 'no-transaction',
    flagged: 'DROP TABLE users',
    fill: { "<the rebuild's statements>": SQLITE_REBUILD },
    samePlan: 'flags',
  },
]

const lint = (example: RuleExample, texts: string[], applied: number) =>
  lintPlan(example.dialect ?? 'postgres', migrations(...texts), applied, example.config)

describe.each(
  EXAMPLES.map((example) => [example.variant ? `${example.rule} (${example.variant})` : example.rule, example] as const),
)('%s', (_, example) => {
  const { rule } = example
  const setup = migrationText(example.setup)
  const bad = migrationText(example.bad, example.badMode)
  const badLines = example.bad.split('\n')
  const flaggedIndex = Math.max(
    0,
    badLines.findIndex((line) => example.flagged !== undefined && line.startsWith(example.flagged)),
  )
  const firstSqlLine = example.badMode === 'no-transaction' ? 3 : 2

  it('flags the statement on a table that exists before the plan, with a finding and a recipe', async () => {
    const result = await lint(example, [setup, bad], 1)
    const finding = result.findings.find((candidate) => candidate.rule === rule)
    expect(finding, `findings: ${rulesOf(result).join(', ')}`).toBeDefined()
    expect(finding).toMatchObject({ file: '0002_step.sql', version: 2, line: firstSqlLine + flaggedIndex })
    expect(finding?.message).toMatch(/\S/)
    expect(finding?.recipe).toMatch(/\S/)
  })

  it('allows it with -- mig:allow and a reason, and reports it as allowed', async () => {
    const lines = [...badLines.slice(0, flaggedIndex), `-- mig:allow ${rule}: the table is tiny`, ...badLines.slice(flaggedIndex)]
    const allowed = migrationText(lines.join('\n'), example.badMode)
    const result = await lint(example, [setup, allowed], 1)
    expect(rulesOf(result)).not.toContain(rule)
    expect(result.allowed).toContainEqual(expect.objectContaining({ rule, allowedBecause: 'the table is tiny' }))
  })

  it('passes its printed recipe, placeholders filled in, read as the migrations it describes on the existing table', async () => {
    const printed = (await lint(example, [setup, bad], 1)).findings.find((candidate) => candidate.rule === rule)?.recipe ?? ''
    const recipe = fillPlaceholders(printed, example.fill ?? {})
    expect(sqlLinesOf(recipe).join('\n'), 'a placeholder the example does not fill').not.toMatch(PLACEHOLDER)
    const ways = recipeMigrations(recipe, { sql: example.bad, mode: example.badMode ?? 'transaction' })
    if (example.adviceOnly) expect(ways).toEqual([])
    else expect(ways.length, `no SQL read from the recipe:\n${recipe}`).toBeGreaterThan(0)
    for (const way of ways) {
      const result = await lint(example, [setup, ...way.map(({ sql, mode }) => migrationText(sql, mode))], 1)
      expect(result.findings, recipe).toEqual([])
      expect(result.allowed.map((finding) => finding.rule)).toEqual(example.recipeAllows ?? [])
    }
  })

  it(example.samePlan === 'passes' ? 'passes on a table created earlier in the same plan' : 'flags it in the same plan too', async () => {
    const result = await lint(example, [setup, bad], 0)
    if (example.samePlan === 'passes') expect(rulesOf(result)).not.toContain(rule)
    else expect(rulesOf(result)).toContain(rule)
  })
})
