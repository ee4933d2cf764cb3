import { fileURLToPath } from 'node:url'
import { compareSchemas, DRIFT_WORDING, describeDifference, fromDirectory, fromList, Migrator, type SchemaSnapshot } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, sql, takesStandardBodies } from './support/postgres-test-database.js'

/** Functions with SQL-standard bodies that read a table or a view created after them, in the order written. */
const STANDARD_BODIES = `CREATE FUNCTION is_code(text) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN $1 ~ '^[A-Z]+$';
CREATE DOMAIN code AS text CHECK (is_code(VALUE));
CREATE TABLE language (tag text PRIMARY KEY);
CREATE FUNCTION random_rank() RETURNS integer LANGUAGE sql VOLATILE RETURN floor(random() * 100);
CREATE TABLE accounts (id int PRIMARY KEY, code code NOT NULL, rank integer DEFAULT random_rank());
CREATE FUNCTION account_count() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM accounts; END;
CREATE FUNCTION a_busy() RETURNS boolean LANGUAGE sql STABLE RETURN account_count() > 10;
CREATE VIEW account_summary AS SELECT account_count() AS accounts, a_busy() AS busy;
CREATE FUNCTION b_summary_busy() RETURNS boolean LANGUAGE sql STABLE BEGIN ATOMIC SELECT busy FROM account_summary; END;`

/** The same functions with quoted bodies, as PostgreSQL 13 takes them. */
function quotedBodies(schema: string): string {
  return schema
    .replace(/ BEGIN ATOMIC (.*?); END;$/gm, (_, statement: string) => ` AS $$ ${statement} $$;`)
    .replace(/ RETURN (.*);$/gm, (_, expression: string) => ` AS $$ SELECT ${expression} $$;`)
}

const schema = `CREATE EXTENSION citext;
CREATE EXTENSION pg_trgm;
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TYPE point3 AS (x double precision, y double precision, label text COLLATE "C");
CREATE TYPE price_range AS RANGE (subtype = numeric);
CREATE DOMAIN email AS citext CHECK (VALUE LIKE '%@%');
CREATE SEQUENCE invoice_numbers AS integer START WITH 1000 INCREMENT BY 10;
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  legacy_id serial,
  email email NOT NULL,
  name text COLLATE "C" NOT NULL,
  name_upper text GENERATED ALWAYS AS (upper(name)) STORED,
  mood mood NOT NULL DEFAULT 'calm',
  invoice integer NOT NULL DEFAULT nextval('invoice_numbers'),
  location point3,
  prices price_range,
  CONSTRAINT accounts_name_present CHECK (name <> '')
);
COMMENT ON TABLE accounts IS 'Who pays';
COMMENT ON COLUMN accounts.email IS 'Where invoices go, it''s checked';
CREATE INDEX accounts_name_trgm ON accounts USING gin (name gin_trgm_ops);
CREATE TABLE events (
  id bigint NOT NULL,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  happened_at date NOT NULL,
  PRIMARY KEY (id, happened_at)
) PARTITION BY RANGE (happened_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX events_account ON events (account_id);
CREATE FUNCTION trim_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Names are kept without surrounding spaces.
  NEW.name := trim(NEW.name);
  RETURN NEW;
END $$;
COMMENT ON FUNCTION trim_name() IS 'Keeps names tidy';
CREATE TRIGGER accounts_trim BEFORE INSERT OR UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION trim_name();
CREATE TRIGGER events_check BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION trim_name();
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_own ON accounts FOR SELECT TO PUBLIC USING (name = current_user);
CREATE VIEW calm_accounts AS SELECT id, name FROM accounts WHERE mood = 'calm';
CREATE MATERIALIZED VIEW account_names AS SELECT name FROM calm_accounts;
CREATE VIEW a_names AS SELECT name FROM account_names;`

describe('a PostgreSQL schema snapshot', () => {
  let url: string
  let drop: () => Promise<void>
  let snapshot: SchemaSnapshot
  const migrator = (databaseUrl = url) =>
    new Migrator({
      driver: postgresDriver({ connectionString: databaseUrl }),
      source: fromList([{ version: 1, name: 'schema', up: schema }]),
    })

  beforeAll(async () => {
    const database = await createDatabase()
    url = database.url
    drop = () => database.drop()
    await migrator().up()
    snapshot = await migrator().describeSchema()
  })
  afterAll(() => drop())

  it('records extensions and leaves out every object they own', () => {
    expect(snapshot.extensions).toEqual(['citext', 'pg_trgm'])
    expect(snapshot.functions.map((routine) => routine.name)).toEqual(['trim_name()'])
    expect(snapshot.types?.map((type) => [type.name, type.kind])).toEqual([
      ['point3', 'composite'],
      ['price_range', 'range'],
    ])
  })

  it('sees composite and range types, domains and enums', () => {
    expect(snapshot.types).toEqual([
      { name: 'point3', kind: 'composite', definition: '(x double precision, y double precision, label text COLLATE "C")' },
      { name: 'price_range', kind: 'range', definition: 'RANGE (SUBTYPE = numeric)' },
    ])
    expect(snapshot.domains).toEqual([
      {
        name: 'email',
        definition: "citext CHECK (VALUE ~~ '%@%'::citext)",
        parts: { type: 'citext', nullability: 'nullable', constraints: "CHECK (VALUE ~~ '%@%'::citext)" },
      },
    ])
    expect(snapshot.enums).toEqual([{ name: 'mood', values: ['calm', 'busy'] }])
  })

  it('sees identity, generated and serial columns, collations, sequences and their owners, and comments', () => {
    const accounts = snapshot.tables.find((table) => table.name === 'accounts')
    const column = (name: string) => accounts?.columns.find((candidate) => candidate.name === name)
    expect(column('id')).toEqual({ name: 'id', type: 'bigint', nullable: false, default: undefined, identity: 'ALWAYS' })
    expect(column('name_upper')).toMatchObject({ generated: { expression: 'upper(name)', stored: true }, default: undefined })
    expect(column('name')).toMatchObject({ collation: '"C"' })
    expect(column('legacy_id')).toMatchObject({
      sequence: 'accounts_legacy_id_seq',
      default: "nextval('accounts_legacy_id_seq'::regclass)",
    })
    expect(column('email')).toMatchObject({ type: 'email', comment: "Where invoices go, it's checked" })
    expect(accounts?.comment).toBe('Who pays')
    expect(snapshot.sequences).toEqual(['invoice_numbers'])
    expect(snapshot.sequenceDefinitions?.map((sequence) => sequence.name)).toEqual(['accounts_legacy_id_seq', 'invoice_numbers'])
    expect(snapshot.sequenceDefinitions?.[1]?.definition).toContain('START WITH 1000')
    expect(snapshot.functions[0]?.comment).toBe('Keeps names tidy')
  })

  it('sees partitions with their bounds, and the parent owns their keys, indexes and triggers', () => {
    const tables = Object.fromEntries(snapshot.tables.map((table) => [table.name, table]))
    expect(tables.events?.partitionBy).toBe('RANGE (happened_at)')
    expect(tables.events_2024?.partitionOf).toEqual({ parent: 'events', bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')" })
    expect(tables.events?.indexes.map((index) => index.name)).toEqual(['events_account'])
    expect(tables.events_2024?.indexes).toEqual([])
    expect(tables.events_2024?.foreignKeys).toEqual([])
    expect(tables.events_2024?.primaryKey).toEqual([])
    expect(snapshot.triggers.map((trigger) => trigger.name)).toEqual(['accounts_trim', 'events_check'])
  })

  it('sees row-level security and its policies', () => {
    const accounts = snapshot.tables.find((table) => table.name === 'accounts')
    expect(accounts?.rowLevelSecurity).toBe('forced')
    expect(accounts?.policies).toEqual([
      { name: 'accounts_own', definition: 'AS PERMISSIVE FOR SELECT TO PUBLIC USING ((name = CURRENT_USER))' },
    ])
  })

  it('tells each of them apart when it changes', async () => {
    const changed = await createDatabase()
    try {
      await migrator(changed.url).up()
      await sql(
        changed.url,
        `ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY;
         DROP POLICY accounts_own ON accounts;
         ALTER TABLE accounts ALTER COLUMN invoice TYPE bigint;
         ALTER TABLE accounts ALTER COLUMN legacy_id DROP DEFAULT;
         COMMENT ON TABLE accounts IS 'Who pays, monthly';
         ALTER SEQUENCE invoice_numbers INCREMENT BY 1;
         DROP TABLE events_2025;
         ALTER TYPE point3 ADD ATTRIBUTE z double precision;
         DROP EXTENSION pg_trgm CASCADE;`,
      )
      const differences = compareSchemas(snapshot, await migrator(changed.url).describeSchema())
      expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
        'column accounts.invoice: type bigint, migrations say integer',
        "column accounts.legacy_id: default none, migrations say nextval('accounts_legacy_id_seq'::regclass)",
        'table accounts: row-level security enabled, migrations say forced',
        'table accounts: comment Who pays, monthly, migrations say Who pays',
        'policy accounts_own on accounts missing in the database',
        'index accounts_name_trgm missing in the database',
        'table events_2025 missing in the database',
        'extension pg_trgm missing in the database',
        'type point3: definition differs: `…precision, label text COLLATE "C", z double precision)`, migrations say `…precision, label text COLLATE "C")`',
        'sequence invoice_numbers: increment 1, migrations say 10',
      ])
    } finally {
      await changed.drop()
    }
  })

  it('drift says what changed in an enum, a function, a procedure and a domain redefined by hand', async () => {
    const database = await createDatabase()
    // SQL-standard bodies (BEGIN ATOMIC) came in PostgreSQL 14; on 13 the rest is still compared.
    const atLeast14 = await takesStandardBodies(database.url)
    const routines = `CREATE TYPE status AS ENUM ('a', 'b');
CREATE DOMAIN code AS text NOT NULL CHECK (VALUE <> '');
CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT x + 1
$$;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.touched := true;
  RETURN NEW;
END
$$;
CREATE FUNCTION total(n integer) RETURNS integer LANGUAGE sql STABLE AS $$ SELECT n $$;
${atLeast14 ? 'CREATE FUNCTION atomic_one(x integer) RETURNS integer LANGUAGE sql BEGIN ATOMIC SELECT x + 1; END;' : ''}
CREATE PROCEDURE archive(days integer) LANGUAGE plpgsql AS $$ BEGIN PERFORM days; END $$;`
    try {
      const subject = new Migrator({
        driver: postgresDriver({ connectionString: database.url }),
        source: fromList([{ version: 1, name: 'routines', up: routines }]),
      })
      await subject.up()
      expect((await subject.drift()).differences).toEqual([])
      await sql(
        database.url,
        `ALTER TYPE status ADD VALUE 'archived';
         ALTER DOMAIN code DROP NOT NULL;
         CREATE OR REPLACE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT x + 2
$$;
         CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  NEW.touched := false;
  RETURN NEW;
END
$$;
         DROP FUNCTION total(integer);
         CREATE FUNCTION total(n integer) RETURNS bigint LANGUAGE sql VOLATILE STRICT COST 5 SET search_path = public AS $$ SELECT n $$;
         ${atLeast14 ? 'CREATE OR REPLACE FUNCTION atomic_one(x integer) RETURNS integer LANGUAGE sql BEGIN ATOMIC SELECT x + 3; END;' : ''}
         ALTER PROCEDURE archive(integer) SECURITY DEFINER;`,
      )
      const { differences } = await subject.drift()
      expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
        'function add_one(x integer): body differs: `SELECT x + 2`, migrations say `SELECT x + 1`',
        // PostgreSQL 14 gave procedures OUT parameters, and with them a mode in their signature.
        `function archive(${atLeast14 ? 'IN ' : ''}days integer): security DEFINER, migrations say INVOKER`,
        ...(atLeast14
          ? ['function atomic_one(x integer): definition differs at line 5: `SELECT (x + 3);`, migrations say `SELECT (x + 1);`']
          : []),
        'function total(n integer): return type bigint, migrations say integer',
        'function total(n integer): volatility VOLATILE, migrations say STABLE',
        'function total(n integer): options STRICT COST 5 SET search_path=public, migrations say none',
        'function touch(): security DEFINER, migrations say INVOKER',
        'function touch(): body differs at line 3: `NEW.touched := false;`, migrations say `NEW.touched := true;`',
        'domain code: nullability nullable, migrations say NOT NULL',
        "enum status: label 'archived' added; labels 'a', 'b', 'archived', migrations say 'a', 'b'",
      ])
      expect(differences.find((difference) => difference.kind === 'enum')).toMatchObject({
        attribute: 'labels',
        expected: "'a', 'b'",
        actual: "'a', 'b', 'archived'",
        summary: "label 'archived' added",
      })
    } finally {
      await database.drop()
    }
  })

  it('dumps to a script that builds the same snapshot in an empty database, the same bytes each time', async () => {
    const dump = await migrator().dump()
    expect(await migrator().dump()).toBe(dump)
    expect(dump).not.toMatch(/\\restrict|\d{4}-\d{2}-\d{2} \d{2}:/)
    const empty = await createDatabase()
    try {
      await sql(empty.url, dump)
      expect(await migrator(empty.url).describeSchema()).toEqual(snapshot)
      expect(await migrator(empty.url).dump()).toBe(dump)
    } finally {
      await empty.drop()
    }
  })

  it('dumps objects that depend on each other across kinds in an order that loads', async () => {
    const tangled = `CREATE FUNCTION is_code(text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT $1 ~ '^[A-Z]+$' $$;
CREATE DOMAIN code AS text CHECK (is_code(VALUE));
CREATE FUNCTION shout(c code) RETURNS code LANGUAGE sql AS $$ SELECT upper(c)::code $$;
CREATE TABLE accounts (zeta int PRIMARY KEY, code code NOT NULL DEFAULT shout('AB'), alpha text);
CREATE FUNCTION label(a accounts) RETURNS text LANGUAGE sql AS $$ SELECT a.alpha $$;
CREATE VIEW labels AS SELECT label(a) AS label FROM accounts a;
CREATE FUNCTION every_label() RETURNS SETOF labels LANGUAGE sql AS $$ SELECT * FROM labels $$;
CREATE MATERIALIZED VIEW codes AS SELECT code FROM accounts;
CREATE UNIQUE INDEX codes_code ON codes (code);
CREATE TABLE notes (id int, body text);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER touch BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION touch();`
    const [built, empty] = [await createDatabase(), await createDatabase()]
    try {
      await sql(built.url, tangled)
      const dumped = await migrator(built.url).describeSchema()
      expect(dumped.tables.find((table) => table.name === 'accounts')?.columns.map((column) => column.name)).toEqual([
        'zeta',
        'code',
        'alpha',
      ])
      expect(dumped.views.find((view) => view.name === 'codes')?.indexes).toEqual([
        { name: 'codes_code', definition: 'CREATE UNIQUE INDEX codes_code ON codes USING btree (code)' },
      ])
      await sql(empty.url, await migrator(built.url).dump())
      expect(await migrator(empty.url).describeSchema()).toEqual(dumped)

      await sql(empty.url, 'DROP INDEX codes_code; DROP TRIGGER touch ON notes')
      const differences = compareSchemas(dumped, await migrator(empty.url).describeSchema())
      expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
        'index codes_code missing in the database',
        'trigger touch on notes missing in the database',
      ])
    } finally {
      await Promise.all([built.drop(), empty.drop()])
    }
  })

  it('dumps a foreign key to columns that only a unique index covers after that index, so it loads', async () => {
    const keyedByIndex = `CREATE TABLE sessions (id serial PRIMARY KEY, challenge_id uuid NOT NULL);
CREATE UNIQUE INDEX sessions_challenge_id_key ON sessions (challenge_id);
CREATE TABLE tokens (id serial PRIMARY KEY, challenge_id uuid REFERENCES sessions (challenge_id) ON DELETE CASCADE);`
    const [built, empty] = [await createDatabase(), await createDatabase()]
    try {
      await sql(built.url, keyedByIndex)
      await sql(empty.url, await migrator(built.url).dump())
      expect(await migrator(empty.url).describeSchema()).toEqual(await migrator(built.url).describeSchema())
    } finally {
      await Promise.all([built.drop(), empty.drop()])
    }
  })

  it('drift names a dropped primary key as none, and the table of a key known by its columns first', async () => {
    const database = await createDatabase()
    try {
      const subject = new Migrator({
        driver: postgresDriver({ connectionString: database.url }),
        source: fromList([
          { version: 1, name: 'prefs', up: 'CREATE TABLE prefs (id serial PRIMARY KEY, name text, owner int REFERENCES prefs (id))' },
        ]),
      })
      await subject.up()
      await sql(database.url, 'ALTER TABLE prefs DROP CONSTRAINT prefs_owner_fkey, ADD UNIQUE (name)')
      await sql(database.url, 'ALTER TABLE prefs DROP CONSTRAINT prefs_pkey')
      const { differences } = await subject.drift()
      expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
        'primary key on prefs: none, migrations say (id)',
        'unique on prefs (name) extra in the database',
        'foreign key on prefs (owner) → prefs (id) on delete NO ACTION on update NO ACTION missing in the database',
      ])
    } finally {
      await database.drop()
    }
  })

  it('dumps a sequence before a domain whose default takes from it, so it loads', async () => {
    const numbered = `CREATE SEQUENCE ticket_numbers;
CREATE DOMAIN ticket AS bigint DEFAULT nextval('ticket_numbers') CHECK (VALUE > 0);
CREATE TABLE tickets (number ticket PRIMARY KEY);`
    const [built, empty] = [await createDatabase(), await createDatabase()]
    try {
      await sql(built.url, numbered)
      await sql(empty.url, await migrator(built.url).dump())
      expect(await migrator(empty.url).describeSchema()).toEqual(await migrator(built.url).describeSchema())
    } finally {
      await Promise.all([built.drop(), empty.drop()])
    }
  })

  it('dumps a domain over a composite type after that type, so it loads', async () => {
    const layered = `CREATE TYPE span AS (starts time, ends time);
CREATE DOMAIN closed_span AS span CHECK ((VALUE).starts IS NOT NULL AND (VALUE).ends IS NOT NULL);
CREATE TABLE shifts (id int PRIMARY KEY, hours closed_span);`
    const [built, empty] = [await createDatabase(), await createDatabase()]
    try {
      await sql(built.url, layered)
      await sql(empty.url, await migrator(built.url).dump())
      expect(await migrator(empty.url).describeSchema()).toEqual(await migrator(built.url).describeSchema())
    } finally {
      await Promise.all([built.drop(), empty.drop()])
    }
  })

  it('dumps a function whose SQL-standard body reads a table or a view after it, so it loads', async () => {
    const [built, empty] = [await createDatabase(), await createDatabase()]
    // SQL-standard bodies came in PostgreSQL 14; on 13 the same schema has quoted bodies, which are not checked when loaded.
    const standard = (await takesStandardBodies(built.url)) ? STANDARD_BODIES : quotedBodies(STANDARD_BODIES)
    try {
      await sql(built.url, standard)
      await sql(empty.url, await migrator(built.url).dump())
      expect(await migrator(empty.url).describeSchema()).toEqual(await migrator(built.url).describeSchema())
    } finally {
      await Promise.all([built.drop(), empty.drop()])
    }
  })

  it('renders the changes between two schemas: applied to one, they give the other, both ways', async () => {
    const before = `CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE DOMAIN code AS text CHECK (VALUE <> '');
CREATE TABLE teams (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255) NOT NULL, team_id bigint REFERENCES teams (id), mood mood, old text);
CREATE INDEX users_email ON users (email);
CREATE VIEW emails AS SELECT email FROM users;
CREATE VIEW team_ids AS SELECT id, name FROM teams;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TABLE gone (id int);`
    const after = `CREATE TYPE mood AS ENUM ('sleepy', 'calm', 'busy');
CREATE DOMAIN code AS text CHECK (VALUE <> '');
CREATE SEQUENCE tickets START WITH 100;
CREATE DOMAIN ticket AS bigint DEFAULT nextval('tickets');
CREATE TABLE teams (id bigint PRIMARY KEY, name varchar(100) NOT NULL, slug code DEFAULT 'team');
CREATE TABLE users (id bigint PRIMARY KEY, email text, team_id bigint, mood mood DEFAULT 'calm', name text NOT NULL DEFAULT '',
  CONSTRAINT users_team FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE, CONSTRAINT users_email_unique UNIQUE (email));
COMMENT ON TABLE users IS 'people';
CREATE INDEX users_email ON users (lower(email));
CREATE INDEX users_name ON users (name);
CREATE VIEW emails AS SELECT email, name FROM users;
CREATE VIEW team_ids AS SELECT id, name FROM teams;
CREATE MATERIALIZED VIEW team_names AS SELECT name FROM teams;
CREATE INDEX team_names_name ON team_names (name);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := trim(NEW.name); RETURN NEW; END $$;
CREATE FUNCTION label(u users) RETURNS text LANGUAGE sql AS $$ SELECT u.name $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_own ON users FOR SELECT USING (name = current_user);
CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);
ALTER TABLE teams ADD COLUMN legacy_id serial;`
    const [subject, target] = [await createDatabase(), await createDatabase()]
    try {
      await sql(subject.url, before)
      await sql(target.url, after)
      const snapshots = { before: await migrator(subject.url).describeSchema(), after: await migrator(target.url).describeSchema() }
      const renderChanges = postgresDriver({ connectionString: subject.url }).schema?.renderChanges
      const forward = renderChanges?.(snapshots.before, snapshots.after)
      expect(forward?.byHand).toEqual([])
      await sql(subject.url, forward?.statements.join('\n') ?? '')
      expect(await migrator(subject.url).describeSchema()).toEqual(snapshots.after)
      const back = renderChanges?.(snapshots.after, snapshots.before)
      expect(back?.byHand).toEqual(['enum mood: values (sleepy, calm, busy) become (calm, busy); PostgreSQL only adds values'])
      await sql(subject.url, `DROP TYPE mood CASCADE; CREATE TYPE mood AS ENUM ('calm', 'busy'); ALTER TABLE users ADD COLUMN mood mood;`)
      await sql(subject.url, back?.statements.filter((statement) => !/\bmood\b/.test(statement)).join('\n') ?? '')
      expect(compareSchemas(snapshots.before, await migrator(subject.url).describeSchema())).toEqual([])
    } finally {
      await Promise.all([subject.drop(), target.drop()])
    }
  })

  it('mig test finds an up that builds another schema when it runs again after its down', async () => {
    const subject = new Migrator({
      driver: postgresDriver({ connectionString: url }),
      source: fromList([
        { version: 1, name: 'marks', up: 'CREATE TABLE marks (id int)', down: 'DROP TABLE marks' },
        {
          version: 2,
          name: 'first_run_only',
          // Reads data a snapshot does not see, and its down leaves that data behind.
          up: 'DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM marks) THEN CREATE TABLE first_run (id int); END IF; INSERT INTO marks VALUES (1); END $$',
          down: 'DROP TABLE IF EXISTS first_run',
        },
      ]),
    })
    const report = await subject.testReversibility()
    expect(report.passed).toBe(false)
    expect(report.migrations.map((entry) => entry.outcome)).toEqual(['reversible', 'not-repeatable'])
    expect(report.migrations[1]?.differences.map((difference) => [difference.object, difference.change])).toEqual([
      ['first_run', 'missing'],
    ])
  })

  it('mig test proves the examples reversible', async () => {
    for (const folder of ['../../../examples/embedded-postgres/migrations', '../../../examples/llm-proxy/migrations/postgres']) {
      const examples = new Migrator({
        driver: postgresDriver({ connectionString: url }),
        source: fromDirectory(fileURLToPath(new URL(folder, import.meta.url))),
      })
      const report = await examples.testReversibility()
      expect(report.migrations.map((entry) => entry.outcome)).toEqual(report.migrations.map(() => 'reversible'))
      expect(report.passed).toBe(true)
    }
  })
})
