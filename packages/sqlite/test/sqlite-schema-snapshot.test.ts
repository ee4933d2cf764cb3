import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareSchemas, DRIFT_WORDING, describeDifference, fromDirectory, fromList, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const schema = `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE measures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  grams INTEGER NOT NULL,
  kilos REAL GENERATED ALWAYS AS (grams / 1000.0) VIRTUAL,
  doubled INTEGER AS (grams * 2) STORED,
  label TEXT COLLATE NOCASE, -- a comment, kept by SQLite
  note TEXT DEFAULT 'a, (b)'
) STRICT;
CREATE INDEX measures_label ON measures (label) WHERE label IS NOT NULL;
CREATE VIRTUAL TABLE notes USING fts5(title, body);
CREATE VIEW heavy AS SELECT id FROM measures WHERE grams > 1000;
CREATE VIEW a_heavy_labels AS SELECT label FROM measures JOIN heavy USING (id);
CREATE TRIGGER measures_noted AFTER INSERT ON measures BEGIN
  INSERT INTO notes (title, body) VALUES (NEW.label, 'measured; again');
END;`

let folder: string
const file = (name: string) => join(folder, name)
const migrator = (filename: string, up = schema) =>
  new Migrator({ driver: sqliteDriver({ filename }), source: fromList([{ version: 1, name: 'schema', up }]) })

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-schema-'))
})
afterEach(() => rm(folder, { recursive: true, force: true }))

describe('a SQLite schema snapshot', () => {
  it('sees WITHOUT ROWID and STRICT tables, generated columns and collations', async () => {
    await migrator(file('app.db')).up()
    const snapshot = await migrator(file('app.db')).describeSchema()
    const tables = Object.fromEntries(snapshot.tables.map((table) => [table.name, table]))
    expect(tables.settings?.withoutRowid).toBe(true)
    expect(tables.measures?.strict).toBe(true)
    const column = (name: string) => tables.measures?.columns.find((candidate) => candidate.name === name)
    expect(column('kilos')?.generated).toEqual({ expression: 'grams / 1000.0', stored: false })
    expect(column('doubled')?.generated).toEqual({ expression: 'grams * 2', stored: true })
    expect(column('label')?.collation).toBe('NOCASE')
    expect(column('note')?.default).toBe("'a, (b)'")
  })

  it('sees virtual tables and leaves out their shadow tables', async () => {
    await migrator(file('app.db')).up()
    const snapshot = await migrator(file('app.db')).describeSchema()
    expect(snapshot.tables.map((table) => table.name)).toEqual(['measures', 'settings'])
    expect(snapshot.virtualTables).toEqual([{ name: 'notes', definition: 'CREATE VIRTUAL TABLE notes USING fts5(title, body)' }])
  })

  it('tells each of them apart when it changes', async () => {
    const changed = schema
      .replace(') WITHOUT ROWID', ')')
      .replace(') STRICT', ')')
      .replace('AS (grams * 2) STORED', 'AS (grams * 3) STORED')
      .replace('COLLATE NOCASE', '')
      .replace('fts5(title, body)', 'fts5(title)')
    await migrator(file('expected.db')).up()
    await migrator(file('changed.db'), changed).up()
    const differences = compareSchemas(
      await migrator(file('expected.db')).describeSchema(),
      await migrator(file('changed.db')).describeSchema(),
    )
    expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
      'column measures.doubled: generated grams * 3 STORED, migrations say grams * 2 STORED',
      'column measures.label: collation none, migrations say NOCASE',
      'table measures: STRICT off, migrations say on',
      // Only a WITHOUT ROWID table makes its primary key NOT NULL.
      'column settings.key: nullability nullable, migrations say NOT NULL',
      'table settings: WITHOUT ROWID off, migrations say on',
      'virtual table notes: definition differs: `CREATE VIRTUAL TABLE notes USING fts5(title)`, migrations say `CREATE VIRTUAL TABLE notes USING fts5(title, body)`',
    ])
  })

  it('drift quotes the first line that differs in a view and a trigger redefined by hand', async () => {
    const subject = migrator(file('app.db'))
    await subject.up()
    const database = new Database(file('app.db'))
    database.exec(`DROP VIEW a_heavy_labels;
DROP VIEW heavy;
CREATE VIEW heavy AS SELECT id FROM measures WHERE grams > 2000;
CREATE VIEW a_heavy_labels AS SELECT label FROM measures JOIN heavy USING (id);
DROP TRIGGER measures_noted;
CREATE TRIGGER measures_noted AFTER INSERT ON measures BEGIN
  INSERT INTO notes (title, body) VALUES (NEW.label, 'measured');
END;`)
    database.close()
    const { differences } = await subject.drift()
    expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
      'view heavy: definition differs: `CREATE VIEW heavy AS SELECT id FROM measures WHERE grams > 2000`, migrations say `CREATE VIEW heavy AS SELECT id FROM measures WHERE grams > 1000`',
      "trigger measures_noted on measures: definition differs at line 2: `INSERT INTO notes (title, body) VALUES (NEW.label, 'measured');`, migrations say `INSERT INTO notes (title, body) VALUES (NEW.label, 'measured; again');`",
    ])
  })

  it('reads REFERENCES parent without columns as the parent key, so both spellings compare equal', async () => {
    const parent = 'CREATE TABLE parents (id INTEGER PRIMARY KEY);\n'
    await migrator(file('implicit.db'), `${parent}CREATE TABLE children (parent_id INTEGER REFERENCES parents)`).up()
    await migrator(file('explicit.db'), `${parent}CREATE TABLE children (parent_id INTEGER REFERENCES parents (id))`).up()
    const implicit = await migrator(file('implicit.db')).describeSchema()
    expect(implicit.tables[0]?.foreignKeys).toEqual([
      { columns: ['parent_id'], referencedTable: 'parents', referencedColumns: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
    ])
    expect(compareSchemas(implicit, await migrator(file('explicit.db')).describeSchema())).toEqual([])
  })

  it('sees a foreign key checked at commit, written on the column or the table, and takes every other timing as immediate', async () => {
    const keys = `CREATE TABLE parents (id INTEGER PRIMARY KEY, code TEXT UNIQUE, UNIQUE (id, code));
CREATE TABLE children (
  id INTEGER PRIMARY KEY,
  deferred_id INTEGER REFERENCES parents (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  "Named Code" TEXT CONSTRAINT by_code REFERENCES "parents" ("code") MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED,
  a INTEGER, b TEXT, c INTEGER, d INTEGER, e INTEGER,
  CONSTRAINT pair FOREIGN KEY (a, b) REFERENCES [Parents] (id, code) ON UPDATE SET NULL deferrable initially deferred,
  FOREIGN KEY (c) REFERENCES parents NOT DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (d) REFERENCES parents DEFERRABLE,
  FOREIGN KEY (e) REFERENCES parents (id) DEFERRABLE INITIALLY IMMEDIATE
)`
    await migrator(file('app.db'), keys).up()
    const snapshot = await migrator(file('app.db')).describeSchema()
    const children = snapshot.tables.find((table) => table.name === 'children')
    const timings = Object.fromEntries(children?.foreignKeys.map((key) => [key.columns.join(','), key.timing ?? 'immediate']) ?? [])
    expect(timings).toEqual({
      deferred_id: 'DEFERRABLE INITIALLY DEFERRED',
      'Named Code': 'DEFERRABLE INITIALLY DEFERRED',
      'a,b': 'DEFERRABLE INITIALLY DEFERRED',
      c: 'immediate',
      d: 'immediate',
      e: 'immediate',
    })
  })

  it('drift sees a deferred foreign key rebuilt by hand as immediate', async () => {
    const keys = `CREATE TABLE parents (id INTEGER PRIMARY KEY);
CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);`
    const subject = migrator(file('app.db'), keys)
    await subject.up()
    expect((await subject.drift()).differences).toEqual([])
    const database = new Database(file('app.db'))
    database.exec(`PRAGMA foreign_keys = OFF;
CREATE TABLE children_new (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parents (id));
INSERT INTO children_new SELECT * FROM children;
DROP TABLE children;
ALTER TABLE children_new RENAME TO children;`)
    database.close()
    const { differences } = await subject.drift()
    expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
      'foreign key on children (parent_id) → parents (id) on delete NO ACTION on update NO ACTION: timing NOT DEFERRABLE, migrations say DEFERRABLE INITIALLY DEFERRED',
    ])
  })

  it('dumps to a script that builds the same snapshot in an empty database, the same bytes each time', async () => {
    await migrator(file('app.db')).up()
    const dump = await migrator(file('app.db')).dump()
    expect(await migrator(file('app.db')).dump()).toBe(dump)
    expect(dump.indexOf('CREATE VIEW heavy')).toBeLessThan(dump.indexOf('CREATE VIEW a_heavy_labels'))
    const empty = new Database(file('loaded.db'))
    empty.exec(dump)
    empty.close()
    const loaded = new Migrator({ driver: sqliteDriver({ filename: file('loaded.db') }), source: fromList([]) })
    expect(await loaded.describeSchema()).toEqual(await migrator(file('app.db')).describeSchema())
    expect(await loaded.dump()).toBe(dump)
  })

  it('renders the changes between two schemas: applied to one, they give the other, both ways', async () => {
    const before = `CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, team_id INTEGER REFERENCES teams (id), old TEXT);
CREATE INDEX users_email ON users (email);
CREATE VIEW emails AS SELECT email FROM users;
CREATE TRIGGER users_trim AFTER INSERT ON users BEGIN UPDATE users SET email = trim(NEW.email) WHERE id = NEW.id; END;
CREATE TABLE gone (id INTEGER PRIMARY KEY);`
    const after = `CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL, slug TEXT DEFAULT 'team');
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, team_id INTEGER REFERENCES teams (id) ON DELETE CASCADE, name TEXT);
CREATE INDEX users_email ON users (email, id);
CREATE INDEX users_name ON users (name);
CREATE VIEW emails AS SELECT email, name FROM users;
CREATE TRIGGER users_trim AFTER INSERT ON users BEGIN UPDATE users SET email = trim(NEW.email) WHERE id = NEW.id; END;
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);`
    const subject = migrator(file('subject.db'), before)
    await subject.up()
    await migrator(file('after.db'), after).up()
    const snapshots = { before: await subject.describeSchema(), after: await migrator(file('after.db'), after).describeSchema() }
    const renderChanges = sqliteDriver({ filename: ':memory:' }).schema?.renderChanges
    const apply = (sql: string) => {
      const database = new Database(file('subject.db'))
      database.exec(`INSERT OR IGNORE INTO teams (id, name) VALUES (1, 'a'); ${sql}`)
      database.close()
    }
    const forward = renderChanges?.(snapshots.before, snapshots.after)
    expect(forward?.byHand).toEqual([])
    apply(forward?.statements.join('\n') ?? '')
    // The CREATE statements SQLite keeps differ in quoting after a rebuild; the schemas do not.
    expect(compareSchemas(snapshots.after, await subject.describeSchema())).toEqual([])
    apply(renderChanges?.(snapshots.after, snapshots.before).statements.join('\n') ?? '')
    expect(compareSchemas(snapshots.before, await subject.describeSchema())).toEqual([])
  })

  it('mig test proves the examples reversible', async () => {
    const examples = [
      '../../../examples/quickstart/migrations',
      '../../../examples/embedded-sqlite/migrations',
      '../../../examples/llm-proxy/migrations/sqlite',
    ]
    for (const folder of examples) {
      const subject = new Migrator({
        driver: sqliteDriver({ filename: file('examples.db') }),
        source: fromDirectory(fileURLToPath(new URL(folder, import.meta.url))),
      })
      const report = await subject.testReversibility()
      expect(report.migrations.map((entry) => entry.outcome)).toEqual(report.migrations.map(() => 'reversible'))
      expect(report.passed).toBe(true)
    }
  })

  it('mig test gets through 300 migrations in seconds', async () => {
    const migrations = Array.from({ length: 300 }, (_, index) => ({
      version: index + 1,
      name: `step_${index + 1}`,
      up: `CREATE TABLE t${index} (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES t${Math.max(index - 1, 0)} (id), label TEXT NOT NULL);\nCREATE INDEX t${index}_label ON t${index} (label);`,
      down: `DROP TABLE t${index};`,
    }))
    const started = performance.now()
    const report = await new Migrator({
      driver: sqliteDriver({ filename: file('many.db') }),
      source: fromList(migrations),
    }).testReversibility()
    expect(report.passed).toBe(true)
    expect(report.migrations).toHaveLength(300)
    expect(performance.now() - started).toBeLessThan(30_000)
  }, 60_000)
})
