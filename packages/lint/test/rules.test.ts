import type { LintConfig, LintDialect } from '@mig/lint'
import { describe, expect, it } from 'vitest'
import { lintPlan, migrations, migrationText, rulesOf } from './lint-helpers.js'

interface RuleExample {
  readonly rule: string
  readonly dialect?: LintDialect
  /** Migration 0001: the tables the statement needs. */
  readonly setup: string
  /** The statement under test, as migration 0002. */
  readonly bad: string
  readonly badMode?: 'transaction' | 'no-transaction'
  /** The start of the line the finding points at, when not the first line of `bad`. */
  readonly flagged?: string
  /** What the finding's recipe says to write instead, as consecutive migrations; none when there is nothing to write. */
  readonly recipe: readonly (readonly [string, ('transaction' | 'no-transaction')?])[]
  /** Rules that are not about a table that exists (a statement that cannot run, hygiene) flag in the same plan too. */
  readonly samePlan: 'passes' | 'flags'
  readonly config?: LintConfig
}

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY, email text, org_id bigint, visits integer, legacy text);'
const USERS_AND_ORGS = `CREATE TABLE orgs (id bigint PRIMARY KEY);\n${USERS}`
const SQLITE_USERS = 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);'
const BATCHED_BACKFILL = `DO $$
DECLARE changed integer;
BEGIN
  LOOP
    UPDATE users SET email = lower(email) WHERE ctid IN (SELECT ctid FROM users WHERE email <> lower(email) LIMIT 10000);
    GET DIAGNOSTICS changed = ROW_COUNT;
    EXIT WHEN changed = 0;
    COMMIT;
  END LOOP;
END $$;`

const EXAMPLES: readonly RuleExample[] = [
  {
    rule: 'index-without-concurrently',
    setup: USERS,
    bad: 'CREATE INDEX users_email ON users (email);',
    recipe: [['CREATE INDEX CONCURRENTLY users_email ON users (email);', 'no-transaction']],
    samePlan: 'passes',
  },
  {
    rule: 'drop-index-without-concurrently',
    setup: `${USERS}\nCREATE INDEX users_email ON users (email);`,
    bad: 'DROP INDEX users_email;',
    recipe: [['DROP INDEX CONCURRENTLY users_email;', 'no-transaction']],
    samePlan: 'passes',
  },
  {
    rule: 'needs-no-transaction',
    setup: USERS,
    bad: 'CREATE INDEX CONCURRENTLY users_email ON users (email);',
    recipe: [['CREATE INDEX CONCURRENTLY users_email ON users (email);', 'no-transaction']],
    samePlan: 'flags',
  },
  {
    rule: 'reindex-without-concurrently',
    setup: `${USERS}\nCREATE INDEX users_email ON users (email);`,
    bad: 'REINDEX INDEX users_email;',
    recipe: [['REINDEX INDEX CONCURRENTLY users_email;', 'no-transaction']],
    samePlan: 'passes',
  },
  {
    rule: 'detach-partition-without-concurrently',
    setup:
      "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
    bad: 'ALTER TABLE events DETACH PARTITION events_2025;',
    recipe: [['ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY;', 'no-transaction']],
    samePlan: 'passes',
  },
  {
    rule: 'add-column-volatile-default',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
    recipe: [
      ['ALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();'],
      [BATCHED_BACKFILL, 'no-transaction'],
    ],
    samePlan: 'passes',
  },
  {
    rule: 'add-column-not-null-without-default',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN plan text NOT NULL;',
    recipe: [["ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';"]],
    samePlan: 'passes',
  },
  {
    rule: 'set-not-null',
    setup: USERS,
    bad: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    recipe: [
      ['ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;'],
      [
        'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null;',
      ],
    ],
    samePlan: 'passes',
  },
  {
    rule: 'add-check-without-not-valid',
    setup: USERS,
    bad: 'ALTER TABLE users ADD CONSTRAINT email_length CHECK (char_length(email) < 300);',
    recipe: [
      ['ALTER TABLE users ADD CONSTRAINT email_length CHECK (char_length(email) < 300) NOT VALID;'],
      ['ALTER TABLE users VALIDATE CONSTRAINT email_length;'],
    ],
    samePlan: 'passes',
  },
  {
    rule: 'add-foreign-key-without-not-valid',
    setup: USERS_AND_ORGS,
    bad: 'ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);',
    recipe: [
      ['ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;'],
      ['ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;'],
    ],
    samePlan: 'passes',
  },
  {
    rule: 'add-unique-without-index',
    setup: USERS,
    bad: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
    recipe: [
      ['CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);', 'no-transaction'],
      ['ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;'],
    ],
    samePlan: 'passes',
  },
  {
    rule: 'add-primary-key-without-index',
    setup: 'CREATE TABLE accounts (id bigint NOT NULL, name text);',
    bad: 'ALTER TABLE accounts ADD PRIMARY KEY (id);',
    recipe: [
      ['CREATE UNIQUE INDEX CONCURRENTLY accounts_pkey ON accounts (id);', 'no-transaction'],
      ['ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY USING INDEX accounts_pkey;'],
    ],
    samePlan: 'passes',
  },
  {
    rule: 'change-column-type',
    setup: USERS,
    bad: 'ALTER TABLE users ALTER COLUMN visits TYPE bigint;',
    recipe: [
      ['ALTER TABLE users ADD COLUMN visits_new bigint;'],
      ['-- mig:allow drop-column: v2.4 reads and writes visits_new only\nALTER TABLE users DROP COLUMN visits;'],
    ],
    samePlan: 'passes',
  },
  {
    rule: 'rename-table',
    setup: USERS,
    bad: 'ALTER TABLE users RENAME TO members;',
    recipe: [['ALTER TABLE users RENAME TO members;\nCREATE VIEW users AS SELECT * FROM members;']],
    samePlan: 'passes',
  },
  {
    rule: 'rename-column',
    setup: USERS,
    bad: 'ALTER TABLE users RENAME COLUMN email TO address;',
    recipe: [
      ['ALTER TABLE users ADD COLUMN address text;'],
      ['-- mig:allow drop-column: v2.4 uses address only\nALTER TABLE users DROP COLUMN email;'],
    ],
    samePlan: 'passes',
  },
  {
    rule: 'drop-column',
    setup: USERS,
    bad: 'ALTER TABLE users DROP COLUMN legacy;',
    recipe: [['-- mig:allow drop-column: nothing reads legacy since v2.3\nALTER TABLE users DROP COLUMN legacy;']],
    samePlan: 'passes',
  },
  {
    rule: 'drop-table',
    setup: USERS,
    bad: 'DROP TABLE users;',
    recipe: [['-- mig:allow drop-table: replaced by members in v3\nDROP TABLE users;']],
    samePlan: 'passes',
  },
  {
    rule: 'vacuum-full-or-cluster',
    setup: USERS,
    bad: 'VACUUM FULL users;',
    badMode: 'no-transaction',
    recipe: [['VACUUM users;', 'no-transaction']],
    samePlan: 'passes',
  },
  {
    rule: 'truncate-cascade',
    setup: `${USERS_AND_ORGS}\nALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);`,
    bad: 'TRUNCATE orgs CASCADE;',
    recipe: [['TRUNCATE orgs, users;']],
    samePlan: 'flags',
  },
  { rule: 'drop-database', setup: USERS, bad: 'DROP DATABASE old_app;', badMode: 'no-transaction', recipe: [], samePlan: 'flags' },
  {
    rule: 'backfill-in-transaction',
    setup: USERS,
    bad: 'UPDATE users SET email = lower(email);',
    recipe: [[BATCHED_BACKFILL, 'no-transaction']],
    samePlan: 'passes',
  },
  {
    rule: 'prefer-bigint',
    setup: USERS,
    bad: 'CREATE TABLE counters (id integer PRIMARY KEY);',
    recipe: [['CREATE TABLE counters (id bigint PRIMARY KEY);']],
    samePlan: 'flags',
    config: { rules: { 'prefer-bigint': 'warning' } },
  },
  {
    rule: 'prefer-identity',
    setup: USERS,
    bad: 'CREATE TABLE counters (id bigserial PRIMARY KEY);',
    recipe: [['CREATE TABLE counters (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);']],
    samePlan: 'flags',
    config: { rules: { 'prefer-identity': 'warning' } },
  },
  {
    rule: 'prefer-timestamptz',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN seen_at timestamp;',
    recipe: [['ALTER TABLE users ADD COLUMN seen_at timestamptz;']],
    samePlan: 'flags',
    config: { rules: { 'prefer-timestamptz': 'error' } },
  },
  {
    rule: 'prefer-text',
    setup: USERS,
    bad: 'ALTER TABLE users ADD COLUMN nick varchar(40);',
    recipe: [['ALTER TABLE users ADD COLUMN nick text CHECK (char_length(nick) <= 40);']],
    samePlan: 'flags',
    config: { rules: { 'prefer-text': 'warning' } },
  },
  {
    rule: 'sqlite-add-column-refused',
    dialect: 'sqlite',
    setup: SQLITE_USERS,
    bad: 'ALTER TABLE users ADD COLUMN plan TEXT NOT NULL;',
    recipe: [["ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'free';"]],
    samePlan: 'passes',
  },
  {
    rule: 'sqlite-pragma-no-effect',
    dialect: 'sqlite',
    setup: SQLITE_USERS,
    bad: 'PRAGMA journal_mode = WAL;',
    recipe: [['PRAGMA journal_mode = WAL;', 'no-transaction']],
    samePlan: 'flags',
  },
  {
    rule: 'sqlite-rebuild-loses-indexes',
    dialect: 'sqlite',
    setup: `${SQLITE_USERS}\nCREATE INDEX users_email ON users (email);`,
    bad: 'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users_new SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;',
    flagged: 'ALTER TABLE users_new RENAME',
    recipe: [
      [
        'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users_new SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;\nCREATE INDEX users_email ON users (email);',
      ],
    ],
    samePlan: 'flags',
  },
]

const lint = (example: RuleExample, texts: string[], applied: number) =>
  lintPlan(example.dialect ?? 'postgres', migrations(...texts), applied, example.config)

describe.each(EXAMPLES.map((example) => [example.rule, example] as const))('%s', (rule, example) => {
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

  if (example.recipe.length) {
    it("passes the recipe's statements", async () => {
      const recipe = example.recipe.map(([sql, mode]) => migrationText(sql, mode))
      const result = await lint(example, [setup, ...recipe], 1)
      expect(result.findings).toEqual([])
    })
  }

  it(example.samePlan === 'passes' ? 'passes on a table created earlier in the same plan' : 'flags it in the same plan too', async () => {
    const result = await lint(example, [setup, bad], 0)
    if (example.samePlan === 'passes') expect(rulesOf(result)).not.toContain(rule)
    else expect(rulesOf(result)).toContain(rule)
  })
})
