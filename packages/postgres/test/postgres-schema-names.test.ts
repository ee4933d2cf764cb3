import { fromList, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, sql } from './support/postgres-test-database.js'

// Names that a role allowed to create objects may choose: each must come back as a name, never as SQL.
const hostile = `CREATE FUNCTION "f(); DROP TABLE canary; SELECT ("(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
COMMENT ON FUNCTION "f(); DROP TABLE canary; SELECT ("(int) IS 'looks harmless';
CREATE FUNCTION "half(open"(a int, "b(c" text) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
COMMENT ON FUNCTION "half(open"(int, text) IS 'half';
CREATE PROCEDURE "p""q"() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TABLE "t""; DROP TABLE canary; --" ("c""')" int CONSTRAINT "k""; x" CHECK ("c""')" > 0));
COMMENT ON COLUMN "t""; DROP TABLE canary; --"."c""')" IS 'it''s $$ fine';`

describe('PostgreSQL catalog names in SQL that mig writes', () => {
  let url: string
  let drop: () => Promise<void>
  const migrator = (databaseUrl: string) =>
    new Migrator({
      driver: postgresDriver({ connectionString: databaseUrl }),
      source: fromList([{ version: 1, name: 'hostile', up: hostile }]),
    })

  beforeAll(async () => {
    const database = await createDatabase()
    url = database.url
    drop = () => database.drop()
    await migrator(url).up()
  })
  afterAll(() => drop())

  it('dumps routines whose names hold parentheses, quotes and SQL as those names, and the dump loads as it was', async () => {
    const dump = await migrator(url).dump()
    const empty = await createDatabase()
    try {
      await sql(empty.url, 'CREATE TABLE canary (id int)')
      await sql(empty.url, dump)
      expect(await sql(empty.url, "SELECT to_regclass('canary') IS NOT NULL AS kept")).toEqual([{ kept: true }])
      await sql(empty.url, 'DROP TABLE canary')
      expect(await migrator(empty.url).describeSchema()).toEqual(await migrator(url).describeSchema())
    } finally {
      await empty.drop()
    }
  })

  it('drops those routines, one by one or in a drafted migration, with statements that drop exactly them', async () => {
    const copy = await createDatabase()
    try {
      await sql(copy.url, hostile)
      await sql(copy.url, 'CREATE TABLE canary (id int)')
      const live = await migrator(copy.url).describeSchema()
      const withoutHostile = { ...live, functions: [], tables: live.tables.filter((table) => table.name === 'canary') }
      const schemaPart = postgresDriver({ connectionString: copy.url }).schema
      const [first, ...others] = live.functions
      await sql(copy.url, schemaPart?.renderDrop({ kind: 'routine', name: first?.name ?? '' }) ?? '')
      const changes = schemaPart?.renderChanges?.({ ...live, functions: others }, withoutHostile)
      await sql(copy.url, changes?.statements.join('\n') ?? '')
      expect(await sql(copy.url, "SELECT count(*)::int AS routines FROM pg_proc WHERE pronamespace = 'public'::regnamespace")).toEqual([
        { routines: 0 },
      ])
      expect(await sql(copy.url, "SELECT to_regclass('canary') IS NOT NULL AS kept")).toEqual([{ kept: true }])
    } finally {
      await copy.drop()
    }
  })
})
