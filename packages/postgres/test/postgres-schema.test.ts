import { fromList, Migrator, SchemaMismatchError } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { beforeEach, describe, expect, it } from 'vitest'
import { sql, useDatabase } from './support/postgres-test-database.js'

const schema = `CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE teams (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE people (
  id SERIAL PRIMARY KEY,
  team_id BIGINT REFERENCES teams (id) ON DELETE CASCADE,
  email TEXT NOT NULL CHECK (position('@' in email) > 1),
  mood mood NOT NULL DEFAULT 'calm',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX people_email_idx ON people (lower(email)) WHERE team_id IS NOT NULL;
CREATE VIEW busy_people AS SELECT id, email FROM people WHERE mood = 'busy';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER people_touch BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch();`

describe('adopting a PostgreSQL database built by hand', () => {
  const database = useDatabase()
  const migrator = () =>
    new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([
        { version: 1, name: 'schema', up: schema },
        { version: 2, name: 'later', up: 'CREATE TABLE later (id INT)' },
      ]),
    })

  beforeEach(() => sql(database.url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'))

  it('baselines to the newest version whose schema the database matches', async () => {
    // Written differently from the migration, to the same effect.
    await sql(database.url, schema.replace('CREATE INDEX people_email_idx ON people', 'create index people_email_idx on public.people'))
    const baselined = await migrator().baseline()
    expect(baselined.map((migration) => migration.version)).toEqual([1])
    await migrator().up()
    expect(await sql(database.url, 'SELECT version::int FROM mig_migrations ORDER BY version')).toEqual([{ version: 1 }, { version: 2 }])
  })

  it('refuses a database that differs, naming the difference, and records nothing', async () => {
    await sql(database.url, schema.replace(' WHERE team_id IS NOT NULL', '').replace("DEFAULT 'calm'", "DEFAULT 'busy'"))
    const failure = await migrator()
      .baseline({ to: 1 })
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(SchemaMismatchError)
    expect((failure as Error).message).toContain('people_email_idx')
    expect((failure as Error).message).toContain('mood')
    expect(await sql(database.url, "SELECT to_regclass('mig_migrations') IS NULL AS none")).toEqual([{ none: true }])
  })
})
