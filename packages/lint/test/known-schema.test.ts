import { describe, expect, it } from 'vitest'
import { lintPlan, migrations, migrationText, rulesOf } from './lint-helpers.js'

/** Findings of the last migration, with every earlier one applied. */
async function lintLast(...sql: string[]): Promise<string[]> {
  return rulesOf(await lintPlan('postgres', migrations(...sql.map((text) => migrationText(text))), sql.length - 1))
}

describe('NOT NULL that earlier migrations declared', () => {
  it('SET NOT NULL on a column created NOT NULL passes: PostgreSQL has nothing to scan', async () => {
    const created = 'CREATE TABLE files (id text PRIMARY KEY, size integer NOT NULL);'
    expect(await lintLast(created, 'ALTER TABLE files ALTER COLUMN size SET NOT NULL;')).toEqual([])
    // Retyping keeps the column NOT NULL; the rewrite itself is still reported.
    const retyped = 'ALTER TABLE files ALTER COLUMN size TYPE bigint, ALTER COLUMN size SET NOT NULL;'
    expect(await lintLast(created, retyped)).toEqual(['change-column-type'])
  })

  it('SET NOT NULL on a column added NOT NULL, or in a primary key, passes', async () => {
    const table = 'CREATE TABLE codes (id text, user_id text, PRIMARY KEY (id, user_id));'
    const added = 'ALTER TABLE codes ADD COLUMN last_used integer NOT NULL DEFAULT 0;'
    const setAll = 'ALTER TABLE codes ALTER COLUMN last_used SET NOT NULL, ALTER COLUMN user_id SET NOT NULL;'
    expect(await lintLast(table, added, setAll)).toEqual([])
  })

  it('SET NOT NULL still flags a column made nullable again, or one no migration declared', async () => {
    const table = 'CREATE TABLE files (id text PRIMARY KEY, size integer NOT NULL, name text);'
    const dropped = 'ALTER TABLE files ALTER COLUMN size DROP NOT NULL;'
    expect(await lintLast(table, dropped, 'ALTER TABLE files ALTER COLUMN size SET NOT NULL;')).toEqual(['set-not-null'])
    expect(await lintLast(table, 'ALTER TABLE files ALTER COLUMN name SET NOT NULL;')).toEqual(['set-not-null'])
    expect(await lintLast('ALTER TABLE legacy ALTER COLUMN name SET NOT NULL;')).toEqual(['set-not-null'])
  })
})

describe('DROP TABLE IF EXISTS', () => {
  it('of a table no earlier migration mentions, before creating it, passes: nothing has used it', async () => {
    const users = 'CREATE TABLE users (id text PRIMARY KEY);'
    const fresh = 'DROP TABLE IF EXISTS archives;\nCREATE TABLE archives (user_id text NOT NULL REFERENCES users (id));'
    expect(await lintLast(users, fresh)).toEqual([])
  })

  it('of a table an earlier migration created still flags, and so does a plain DROP TABLE of an unknown one', async () => {
    const nonces = 'CREATE TABLE nonces (state text PRIMARY KEY);'
    const recreated = 'DROP TABLE IF EXISTS nonces;\nCREATE TABLE nonces (state text PRIMARY KEY, verifier text);'
    expect(await lintLast(nonces, recreated)).toEqual(['drop-table'])
    expect(await lintLast('DROP TABLE legacy;')).toEqual(['drop-table'])
  })
})

describe('a collation change on a column whose type keeps its bytes', () => {
  const table = 'CREATE TABLE events (id text PRIMARY KEY, kind varchar NOT NULL, note varchar, code varchar UNIQUE);'
  const indexed = 'CREATE INDEX events_kind ON events (kind);'

  it('is reported when an index or key covers the column: PostgreSQL rebuilds that index under the lock', async () => {
    expect(await lintLast(table, indexed, 'ALTER TABLE events ALTER kind TYPE varchar COLLATE "C";')).toEqual(['change-column-type'])
    expect(await lintLast(table, 'ALTER TABLE events ALTER code TYPE text COLLATE "C";')).toEqual(['change-column-type'])
    const back = 'ALTER TABLE events ALTER kind TYPE varchar COLLATE "C";'
    expect(await lintLast(table, indexed, back, 'ALTER TABLE events ALTER kind TYPE text;')).toEqual(['change-column-type'])
  })

  it('passes on a column no index covers, and when the collation stays the same', async () => {
    expect(await lintLast(table, indexed, 'ALTER TABLE events ALTER note TYPE varchar COLLATE "C";')).toEqual([])
    const created = 'CREATE TABLE codes (value varchar COLLATE pg_catalog."C" PRIMARY KEY);'
    expect(await lintLast(created, 'ALTER TABLE codes ALTER value TYPE text COLLATE "C";')).toEqual([])
    expect(await lintLast(table, indexed, 'ALTER TABLE events ALTER kind TYPE text;')).toEqual([])
  })

  it('recipes a new column with the new collation', async () => {
    const all = migrations(
      ...[table, indexed, 'ALTER TABLE events ALTER kind TYPE varchar COLLATE "C";'].map((text) => migrationText(text)),
    )
    const [finding] = (await lintPlan('postgres', all, 2)).findings
    expect(finding?.message).toBe(
      'Changing the collation of events.kind from the default to "C" rebuilds its indexes while it blocks reads and writes.',
    )
    expect(finding?.recipe).toContain('ALTER TABLE events ADD COLUMN kind_new varchar COLLATE "C";')
  })
})

describe('a fractional-seconds precision that keeps or adds digits', () => {
  const table = 'CREATE TABLE runs (id bigint PRIMARY KEY, started timestamp(3), ended timestamptz(3), at time(2), took interval(3));'

  it('passes: PostgreSQL relabels the column and keeps its indexes', async () => {
    const widened = [
      'ALTER TABLE runs ALTER started TYPE timestamp, ALTER ended TYPE timestamptz(6);',
      'ALTER TABLE runs ALTER at TYPE time(4), ALTER took TYPE interval;',
      'ALTER TABLE runs ALTER took TYPE interval(5);',
    ]
    for (const sql of widened) expect(await lintLast(table, sql)).toEqual([])
  })

  it('is reported when digits are cut: every value is rounded again', async () => {
    expect(await lintLast(table, 'ALTER TABLE runs ALTER started TYPE timestamp(1);')).toEqual(['change-column-type'])
    expect(await lintLast(table, 'ALTER TABLE runs ALTER took TYPE interval(2);')).toEqual(['change-column-type'])
    const created = 'CREATE TABLE spans (at timestamp);'
    expect(await lintLast(created, 'ALTER TABLE spans ALTER at TYPE timestamp(3);')).toEqual(['change-column-type'])
  })
})

describe('an index on a partitioned table', () => {
  const table = 'CREATE TABLE events (tenant_id uuid, at timestamptz) PARTITION BY HASH (tenant_id);'
  const create = 'CREATE INDEX events_at ON events (at);'

  it('recipes ON ONLY and each partition concurrently, since PostgreSQL refuses CONCURRENTLY on the parent', async () => {
    const all = migrations(migrationText(table), migrationText(create))
    const [finding] = (await lintPlan('postgres', all, 1)).findings
    expect(finding?.rule).toBe('index-without-concurrently')
    expect(finding?.message).toContain('PostgreSQL refuses CONCURRENTLY on a partitioned table')
    expect(finding?.recipe).toBe(
      [
        'CREATE INDEX events_at ON ONLY events (at);',
        '-- then, for each partition, in a migration of its own, outside a transaction:',
        '-- mig:no-transaction',
        '-- mig:up',
        'CREATE INDEX CONCURRENTLY <partition_index> ON <partition> (at);',
        'ALTER INDEX events_at ATTACH PARTITION <partition_index>;',
      ].join('\n'),
    )
  })

  it('the recipe, filled in, lints clean', async () => {
    const partition = 'CREATE TABLE events_0 PARTITION OF events FOR VALUES WITH (MODULUS 1, REMAINDER 0);'
    const steps = [
      migrationText(`${table}\n${partition}`),
      migrationText('CREATE INDEX events_at ON ONLY events (at);'),
      migrationText(
        'CREATE INDEX CONCURRENTLY events_0_at ON events_0 (at);\nALTER INDEX events_at ATTACH PARTITION events_0_at;',
        'no-transaction',
      ),
    ]
    expect(rulesOf(await lintPlan('postgres', migrations(...steps), 1))).toEqual([])
  })

  it('a table without PARTITION BY keeps the CONCURRENTLY recipe', async () => {
    const all = migrations(migrationText('CREATE TABLE logs (at timestamptz);'), migrationText('CREATE INDEX logs_at ON logs (at);'))
    const [finding] = (await lintPlan('postgres', all, 1)).findings
    expect(finding?.recipe).toContain('CREATE INDEX CONCURRENTLY logs_at ON logs (at);')
  })
})

describe('an index renamed by ALTER INDEX', () => {
  const created = 'CREATE TABLE likes (person_id bigint, post_id bigint);\nCREATE INDEX likes_user ON likes (person_id);'
  const renamed = 'ALTER INDEX likes_user RENAME TO likes_person;'
  const dropped = 'DROP INDEX likes_person;'

  it('keeps its table: dropping it in the plan that created the table passes', async () => {
    const plan = migrations(...[created, renamed, dropped].map((text) => migrationText(text)))
    expect(rulesOf(await lintPlan('postgres', plan, 0))).toEqual([])
  })

  it('dropping it from a table an earlier run created still flags', async () => {
    expect(await lintLast(created, renamed, dropped)).toEqual(['drop-index-without-concurrently'])
  })
})
