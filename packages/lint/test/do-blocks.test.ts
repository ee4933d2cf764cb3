import { describe, expect, it } from 'vitest'
import { lintPlan, migrations, migrationText, rulesOf } from './lint-helpers.js'

const USERS = migrationText(
  'CREATE TABLE users (id bigint PRIMARY KEY, email text, team_id bigint);\nCREATE TABLE teams (id bigint PRIMARY KEY);',
)

describe('DO blocks', () => {
  it('lints the statements a DO block runs, each at its own line and column', async () => {
    const block = [
      'DO $$',
      'BEGIN',
      "  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'users_email') THEN",
      '    CREATE INDEX users_email ON users (email);',
      '  END IF;',
      '  ALTER TABLE users ADD CONSTRAINT users_team FOREIGN KEY (team_id) REFERENCES teams (id);',
      'EXCEPTION WHEN others THEN',
      '  ALTER TABLE users RENAME COLUMN email TO mail;',
      'END $$;',
    ].join('\n')
    const result = await lintPlan('postgres', migrations(USERS, migrationText(block)), 1)
    expect(result.findings.map(({ rule, line, column }) => ({ rule, line, column }))).toEqual([
      { rule: 'index-without-concurrently', line: 5, column: 5 },
      { rule: 'add-foreign-key-without-not-valid', line: 7, column: 25 },
      { rule: 'rename-column', line: 9, column: 3 },
    ])
    expect(result.findings[0]?.recipe).toContain('CREATE INDEX CONCURRENTLY users_email ON users (email);')
  })

  it('counts what a DO block creates as new, and reads neither EXECUTE strings nor function bodies', async () => {
    const block = [
      'DO $$ BEGIN',
      '  CREATE TABLE audit (id bigint, at timestamptz);',
      '  CREATE INDEX audit_at ON audit (at);',
      "  EXECUTE 'CREATE INDEX users_team ON users (team_id)';",
      'END $$;',
      'CREATE INDEX audit_id ON audit (id);',
      'CREATE FUNCTION later() RETURNS void LANGUAGE plpgsql AS $body$',
      'BEGIN CREATE INDEX users_email ON users (email); END $body$;',
      "DO LANGUAGE plpgsql 'BEGIN PERFORM 1; END';",
    ].join('\n')
    expect(rulesOf(await lintPlan('postgres', migrations(USERS, migrationText(block)), 1))).toEqual([])
  })

  it('a -- mig:allow line before the DO block, or inside it, covers its statements', async () => {
    const before = [
      '-- mig:allow drop-column: nothing reads email since release 41',
      'DO $$ BEGIN ALTER TABLE users DROP COLUMN email; END $$;',
    ].join('\n')
    const inside = [
      'DO $$ BEGIN',
      '  -- mig:allow drop-column: nothing reads email since release 41',
      '  ALTER TABLE users DROP COLUMN email;',
      'END $$;',
    ].join('\n')
    for (const block of [before, inside]) {
      const result = await lintPlan('postgres', migrations(USERS, migrationText(block)), 1)
      expect(result.findings).toEqual([])
      expect(result.allowed.map((finding) => finding.rule)).toEqual(['drop-column'])
    }
  })

  it('CONCURRENTLY in a DO block fails even outside a transaction, and says why', async () => {
    const block = 'DO $$ BEGIN CREATE INDEX CONCURRENTLY users_email ON users (email); END $$;'
    const [finding, ...others] = (await lintPlan('postgres', migrations(USERS, migrationText(block, 'no-transaction')), 1)).findings
    expect(finding?.rule).toBe('needs-no-transaction')
    expect(finding?.message).toBe(
      'CREATE INDEX CONCURRENTLY cannot run inside a DO block, which PostgreSQL runs as a function: it fails at this statement.',
    )
    expect(finding?.recipe).toContain('CREATE INDEX CONCURRENTLY users_email ON users (email);')
    expect(others).toEqual([])
  })
})
