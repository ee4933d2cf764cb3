import { readFile } from 'node:fs/promises'
import { convertSchema, fromList, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { describe, expect, it } from 'vitest'
import { sql, takesStandardBodies, useDatabase } from './support/postgres-test-database.js'

const dump = `SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', 'public', false);

CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE IF NOT EXISTS teams (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE people (
  id SERIAL PRIMARY KEY,
  team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
  mood mood NOT NULL DEFAULT 'calm'
);
CREATE SEQUENCE invoice_numbers;
CREATE DOMAIN email AS TEXT CHECK (VALUE LIKE '%@%');
CREATE TABLE contacts (id INT PRIMARY KEY, address email NOT NULL);
CREATE VIEW calm_people AS SELECT id FROM people WHERE mood = 'calm';
CREATE MATERIALIZED VIEW people_per_team AS SELECT team_id, count(*) AS n FROM people GROUP BY team_id;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER people_touch BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch();
`

describe('converting a PostgreSQL schema file into migrations', () => {
  const database = useDatabase()

  it('keeps the schema, derives a down that removes everything it built, and lifts out session settings', async () => {
    const conversion = await convertSchema(postgresDriver({ connectionString: database.url }), dump)
    expect(conversion.up).toMatch(/^CREATE TYPE mood/)
    expect(conversion.up).toContain('CREATE TABLE teams (')
    expect(conversion.down.split('\n')).toEqual([
      'DROP MATERIALIZED VIEW people_per_team;',
      'DROP VIEW calm_people;',
      'DROP TABLE contacts;',
      'DROP TABLE people;',
      'DROP TABLE teams;',
      'DROP ROUTINE touch();',
      'DROP DOMAIN email;',
      'DROP TYPE mood;',
      'DROP SEQUENCE invoice_numbers;',
    ])
    expect(conversion.connectionSettings.map((setting) => setting.statement)).toEqual([
      'SET statement_timeout = 0;',
      "SELECT pg_catalog.set_config('search_path', 'public', false);",
    ])
    expect(conversion.lastingSettings).toBeUndefined()
    // The scratch database is gone and the target database was never touched.
    expect(await sql(database.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([])
  })
})

describe('converting a schema with a partitioned table', () => {
  const database = useDatabase()

  it('drops each partition before the table it belongs to, so the down runs', async () => {
    const partitioned = `CREATE TABLE events (id BIGINT NOT NULL, at DATE NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
`
    const conversion = await convertSchema(postgresDriver({ connectionString: database.url }), partitioned)
    expect(conversion.down.split('\n')).toEqual(['DROP TABLE events_2025;', 'DROP TABLE events_2026;', 'DROP TABLE events;'])
  })
})

describe('converting a schema with extensions, composite and range types', () => {
  const database = useDatabase()

  it('drops them too, so the converted migration passes the reversibility test', async () => {
    const schema = `CREATE EXTENSION citext;
CREATE TYPE pair AS (a INT, b INT);
CREATE TYPE float_range AS RANGE (subtype = float8);
CREATE TABLE people (id INT PRIMARY KEY, email citext NOT NULL, position pair);
`
    const driver = () => postgresDriver({ connectionString: database.url })
    const conversion = await convertSchema(driver(), schema)
    expect(conversion.down.split('\n')).toEqual([
      'DROP TABLE people;',
      'DROP TYPE float_range;',
      'DROP TYPE pair;',
      'DROP EXTENSION citext;',
    ])
    const source = fromList([{ version: 1, name: 'initial_schema', up: conversion.up, down: conversion.down }])
    expect((await new Migrator({ driver: driver(), source }).testReversibility()).passed).toBe(true)
  })
})

describe('converting what current pg_dump writes', () => {
  const database = useDatabase()

  it('drops routines that read tables, views that read views, and functions a domain calls in an order that runs', async () => {
    // SQL-standard bodies came in PostgreSQL 14; on 13 the functions have quoted bodies, and drop in the same order.
    const standard = await takesStandardBodies(database.url)
    const body = (statement: string) => (standard ? `\nBEGIN ATOMIC\n  ${statement};\nEND` : `\nAS $$ ${statement} $$`)
    // Names qualified as pg_dump writes them, one quoted; a view named after the view it reads sorts first.
    const qualified = `CREATE FUNCTION public.is_code(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT t ~ ''^[A-Z]+$''';
CREATE DOMAIN public.code AS text CHECK (public.is_code(VALUE));
CREATE TABLE public.accounts (id bigint PRIMARY KEY, state text NOT NULL, tag public.code);
CREATE VIEW public."zz active" AS SELECT id FROM public.accounts WHERE state = 'active';
CREATE VIEW public.aa_active_ids AS SELECT id FROM public."zz active";
CREATE FUNCTION public.account_count() RETURNS bigint LANGUAGE sql STABLE${body('SELECT count(*) FROM public.accounts')};
CREATE FUNCTION public.active_rows() RETURNS SETOF public."zz active" LANGUAGE sql STABLE${body('SELECT * FROM public."zz active"')};
`
    const conversion = await convertSchema(postgresDriver({ connectionString: database.url }), qualified)
    expect(conversion.down.split('\n')).toEqual([
      'DROP VIEW aa_active_ids;',
      'DROP ROUTINE account_count();',
      'DROP ROUTINE active_rows();',
      'DROP VIEW "zz active";',
      'DROP TABLE accounts;',
      'DROP DOMAIN code;',
      'DROP ROUTINE is_code(t text);',
    ])
    const source = fromList([{ version: 1, name: 'initial_schema', up: conversion.up, down: conversion.down }])
    expect((await new Migrator({ driver: postgresDriver({ connectionString: database.url }), source }).testReversibility()).passed).toBe(
      true,
    )
  })

  it('refuses a down that leaves behind what no snapshot sees, naming the statement, with the derived down to start from', async () => {
    const conversion = convertSchema(
      postgresDriver({ connectionString: database.url }),
      'CREATE TABLE accounts (id int PRIMARY KEY);\nCREATE SCHEMA billing;\nCREATE TABLE billing.invoices (id int);\n',
    )
    await expect(conversion).rejects.toThrow(
      /leaves behind something the schema creates at line 2, .*schema "billing" already exists.*\nNo migration was written: .*\nDROP TABLE accounts;$/s,
    )
  })

  it('keeps check_function_bodies off for the migration only, so a function pg_dump writes before its table builds', async () => {
    const dumped = `SET statement_timeout = 0;
SET check_function_bodies = false;
CREATE FUNCTION public.item_count() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$SELECT count(*) FROM public.items$$;
CREATE TABLE public.items (id integer);
`
    const conversion = await convertSchema(postgresDriver({ connectionString: database.url }), dumped)
    expect(conversion.up).toBe(`SET LOCAL check_function_bodies = false;\n${dumped.split('\n').slice(2).join('\n')}`)
    expect(conversion.notes).toEqual([
      expect.stringMatching(
        /^Wrote "SET check_function_bodies = false;" as "SET LOCAL check_function_bodies = false;": pg_dump creates functions before/,
      ),
    ])
    expect(conversion.connectionSettings.map((setting) => setting.statement)).toEqual(['SET statement_timeout = 0;'])
    const source = fromList([{ version: 1, name: 'initial_schema', up: conversion.up, down: conversion.down }])
    const migrator = new Migrator({ driver: postgresDriver({ connectionString: database.url }), source })
    expect((await migrator.testReversibility()).passed).toBe(true)
    // The setting ends with the migration's transaction: the next migration's bodies are checked again.
    const next = {
      version: 2,
      name: 'broken',
      up: "CREATE FUNCTION broken() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM missing';",
    }
    const both = new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ version: 1, name: 'initial_schema', up: conversion.up, down: conversion.down }, next]),
    })
    await expect(both.up()).rejects.toThrow(/relation "missing" does not exist/)
    expect(await sql(database.url, 'SELECT item_count() AS n')).toEqual([{ n: '0' }])
  })

  it('leaves out its psql commands and OWNER TO, once each, and converts the rest', async () => {
    const dumped = await readFile(new URL('./fixtures/pg-dump-15-schema.sql', import.meta.url), 'utf8')
    const conversion = await convertSchema(postgresDriver({ connectionString: database.url }), dumped)
    const leftOut = conversion.leftOut.map(
      (statement) => statement.statement.split(' ')[0] + (statement.statement.includes('OWNER TO') ? ' … OWNER TO' : ''),
    )
    expect(leftOut).toEqual(['\\restrict', 'ALTER … OWNER TO', 'ALTER … OWNER TO', 'ALTER … OWNER TO', 'ALTER … OWNER TO', '\\unrestrict'])
    expect(new Set(conversion.leftOut.map((statement) => statement.reason)).size).toBe(2)
    expect(conversion.up).not.toMatch(/OWNER TO|\\restrict|\\unrestrict/)
    expect(conversion.up).toContain('CREATE TABLE public.child (')
    expect(conversion.down.split('\n')).toEqual(['DROP VIEW v;', 'DROP TABLE child;', 'DROP TABLE parent;', 'DROP ROUTINE f();'])
    expect(new Set(conversion.connectionSettings.map((setting) => setting.advice)).size).toBe(1)
  })
})
