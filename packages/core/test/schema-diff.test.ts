import {
  compareSchemas,
  DRIFT_WORDING,
  describeDifference,
  formatSchemaDifferences,
  normaliseSql,
  REVERSIBILITY_WORDING,
  type SchemaDifference,
  type SchemaSnapshot,
  sortSnapshot,
  type TableSnapshot,
  viewsInCreateOrder,
} from '@mig/core'
import { describe, expect, it } from 'vitest'

const table = (name: string, changes: Partial<TableSnapshot> = {}): TableSnapshot => ({
  name,
  columns: [
    { name: 'id', type: 'TEXT', nullable: false, default: undefined },
    { name: 'state', type: 'TEXT', nullable: false, default: "'new'" },
  ],
  primaryKey: ['id'],
  uniques: [],
  checks: [{ column: 'state', expression: "STATE IN('new', 'done')" }],
  foreignKeys: [],
  indexes: [{ name: `${name}_state`, columns: ['state'], unique: false, predicate: undefined }],
  ...changes,
})

const schema = (changes: Partial<SchemaSnapshot> = {}): SchemaSnapshot => ({
  tables: [table('jobs')],
  views: [{ name: 'open_jobs', definition: 'SELECT 1', materialized: false }],
  triggers: [],
  sequences: ['jobs_seq'],
  enums: [{ name: 'mood', values: ['happy'] }],
  domains: [{ name: 'email', definition: "TEXT CHECK (VALUE LIKE '%@%')" }],
  functions: [],
  ...changes,
})

describe('comparing schemas', () => {
  it('finds nothing between equal schemas, whatever the catalog order', () => {
    const reordered = schema({ tables: [table('jobs', { columns: [...table('jobs').columns].reverse() })] })
    expect(compareSchemas(sortSnapshot(schema()), sortSnapshot(reordered))).toEqual([])
  })

  it('names every difference so that a person reads it in seconds', () => {
    const live = schema({
      tables: [
        table('jobs', {
          columns: [
            { name: 'id', type: 'INTEGER', nullable: true, default: '0' },
            { name: 'state', type: 'TEXT', nullable: false, default: "'new'" },
            { name: 'legacy', type: 'TEXT', nullable: true, default: undefined },
          ],
          primaryKey: ['legacy'],
          uniques: [['state']],
          checks: [
            { column: 'state', expression: "STATE IN('new')" },
            { column: undefined, expression: 'LENGTH(ID) > 0' },
          ],
          foreignKeys: [
            { columns: ['id'], referencedTable: 'owners', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' },
          ],
          indexes: [
            { name: 'jobs_state', columns: ['state', 'id'], unique: false, predicate: undefined },
            { name: 'jobs_extra', columns: ['id'], unique: true, predicate: 'ID > 0' },
          ],
        }),
        table('owners'),
      ],
      views: [{ name: 'open_jobs', definition: 'SELECT 1', materialized: true }],
      triggers: [{ name: 'touch', table: 'jobs', definition: 'CREATE TRIGGER touch' }],
      sequences: [],
      enums: [{ name: 'mood', values: ['happy', 'sad'] }],
      functions: [{ name: 'f', definition: 'x' }],
      domains: [],
    })
    expect(formatSchemaDifferences(compareSchemas(schema(), live))).toBe(
      [
        'jobs: column id is INTEGER, expected TEXT, column id is nullable, expected NOT NULL, column id default is 0, expected none, ' +
          'column legacy extra, primary key is (legacy), expected (id), unique (state) extra, ' +
          "foreign key (id) → owners (id) on delete CASCADE on update NO ACTION extra, check on state is STATE IN('new'), expected STATE IN('new', 'done'), " +
          'check LENGTH(ID) > 0 extra, ' +
          'index jobs_extra extra, index jobs_state columns are (state, id), expected (state)',
        'owners: table extra',
        'open_jobs: view materialized is on, expected off',
        'touch on jobs: trigger extra',
        'f: function extra',
        'email: domain missing',
        "mood: enum label 'sad' added; labels are 'happy', 'sad', expected 'happy'",
        'jobs_seq: sequence missing',
      ].join('\n'),
    )
  })

  it('tells apart two triggers of one name on different tables', () => {
    const trigger = (on: string) => ({ name: 'set_updated', table: on, definition: `CREATE TRIGGER set_updated BEFORE UPDATE ON ${on}` })
    const expected = schema({ triggers: [trigger('jobs'), trigger('runs')] })
    const live = schema({ triggers: [trigger('jobs')] })
    const differences = compareSchemas(sortSnapshot(expected), sortSnapshot(live))
    expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
      'trigger set_updated on runs missing in the database',
    ])
    expect(sortSnapshot(schema({ triggers: [trigger('runs'), trigger('jobs')] })).triggers.map((t) => t.table)).toEqual(['jobs', 'runs'])
  })

  it('compares only tables, columns, keys and indexes at the structure level', () => {
    const otherDialect = schema({
      tables: [
        table('jobs', { columns: table('jobs').columns.map((column) => ({ ...column, type: 'VARCHAR', default: undefined })), checks: [] }),
      ],
      views: [],
      sequences: [],
    })
    expect(compareSchemas(schema(), otherDialect, { level: 'structure' })).toEqual([])
    expect(compareSchemas(schema(), schema({ tables: [] }), { level: 'structure' })).toEqual([
      { object: 'jobs', kind: 'table', name: 'jobs', change: 'missing', message: 'table missing' },
    ])
    const missingCheck = schema({ tables: [table('jobs', { checks: [] })] })
    expect(formatSchemaDifferences(compareSchemas(schema(), missingCheck))).toBe("jobs: check STATE IN('new', 'done') missing")
  })

  it('pairs a key by what it links, then compares how it is enforced, except across dialects', () => {
    const owner = { columns: ['id'], referencedTable: 'owners', referencedColumns: ['id'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' }
    const plain = schema({ tables: [table('jobs', { foreignKeys: [owner] })] })
    const enforced = schema({
      tables: [
        table('jobs', {
          foreignKeys: [{ ...owner, validity: 'NOT VALID', timing: 'DEFERRABLE INITIALLY DEFERRED' }],
          deferrableKeys: [{ kind: 'primary key', columns: ['id'], timing: 'DEFERRABLE' }],
          exclusions: [{ name: 'jobs_one_state', definition: 'EXCLUDE USING btree (state WITH =)' }],
        }),
      ],
    })
    expect(formatSchemaDifferences(compareSchemas(plain, enforced))).toBe(
      [
        'jobs: primary key timing is DEFERRABLE, expected NOT DEFERRABLE',
        'foreign key (id) → owners (id) on delete NO ACTION on update NO ACTION validity is NOT VALID, expected valid',
        'foreign key (id) → owners (id) on delete NO ACTION on update NO ACTION timing is DEFERRABLE INITIALLY DEFERRED, expected NOT DEFERRABLE',
        'exclusion constraint EXCLUDE USING btree (state WITH =) extra',
      ].join(', '),
    )
    expect(compareSchemas(plain, enforced, { level: 'structure' })).toEqual([])
  })

  it('spells SQL one way: keywords upper-cased, spaces collapsed, quoted text kept', () => {
    expect(normaliseSql("  outcome  in ( 'Success',\n 'failure' ) ")).toBe("OUTCOME IN('Success', 'failure')")
    expect(normaliseSql('"MixedCase"  text')).toBe('"MixedCase" TEXT')
  })

  it('keeps quoted text as written, commas and parentheses included', () => {
    expect(normaliseSql("DEFAULT 'a , ( b )'")).toBe("DEFAULT 'a , ( b )'")
    expect(normaliseSql("x in ('a',  'b')")).toBe("X IN('a', 'b')")
  })

  it('knows a check by its expression, whether written on its column or on the table', () => {
    const onTable = schema({ tables: [table('jobs', { checks: [{ column: undefined, expression: "state IN ('new', 'done')" }] })] })
    expect(compareSchemas(schema(), onTable)).toEqual([])
  })

  it('describes a difference from the side the caller names', () => {
    const live = schema({
      tables: [
        table('jobs', {
          columns: [
            { name: 'id', type: 'TEXT', nullable: false, default: undefined },
            { name: 'state', type: 'VARCHAR(255)', nullable: false, default: "'new'" },
            { name: 'note', type: 'TEXT', nullable: true, default: undefined },
          ],
          primaryKey: [],
          indexes: [],
        }),
      ],
    })
    const differences = compareSchemas(schema(), live)
    expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
      'column jobs.note extra in the database',
      'column jobs.state: type VARCHAR(255), migrations say TEXT',
      'primary key on jobs: none, migrations say (id)',
      'index jobs_state missing in the database',
    ])
    expect(describeDifference(differences[3] as (typeof differences)[number], REVERSIBILITY_WORDING)).toBe(
      'index jobs_state missing after down (down does not restore it)',
    )
    const views = compareSchemas(schema(), schema({ views: [{ name: 'open_jobs', definition: 'SELECT 2', materialized: false }] }))
    expect(views.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
      'view open_jobs: definition differs: `SELECT 2`, migrations say `SELECT 1`',
    ])
  })

  it('says which enum labels were added, removed or moved, and compares them exactly', () => {
    const labels = (...values: string[]) => schema({ enums: [{ name: 'mood', values }] })
    const described = (live: SchemaSnapshot, expected = labels('calm', 'busy', 'away')) =>
      compareSchemas(expected, live).map((difference) => describeDifference(difference, DRIFT_WORDING))
    expect(described(labels('calm', 'busy', 'away', 'archived'))).toEqual([
      "enum mood: label 'archived' added; labels 'calm', 'busy', 'away', 'archived', migrations say 'calm', 'busy', 'away'",
    ])
    expect(described(labels('calm'))).toEqual([
      "enum mood: labels 'busy', 'away' removed; labels 'calm', migrations say 'calm', 'busy', 'away'",
    ])
    expect(described(labels('away', 'calm', 'busy'))).toEqual([
      "enum mood: labels reordered; labels 'away', 'calm', 'busy', migrations say 'calm', 'busy', 'away'",
    ])
    expect(described(labels('busy', 'calm', "it's"))).toEqual([
      "enum mood: label 'away' removed, label 'it''s' added, labels reordered; labels 'busy', 'calm', 'it''s', migrations say 'calm', 'busy', 'away'",
    ])
    expect(described(labels('Calm', 'busy', 'away'))).toEqual([
      "enum mood: label 'calm' removed, label 'Calm' added; labels 'Calm', 'busy', 'away', migrations say 'calm', 'busy', 'away'",
    ])
    const [difference] = compareSchemas(labels('calm'), labels('calm', 'busy'))
    expect(difference).toMatchObject({
      kind: 'enum',
      attribute: 'labels',
      expected: "'calm'",
      actual: "'calm', 'busy'",
      summary: "label 'busy' added",
    })
    expect(describeDifference(difference as SchemaDifference, REVERSIBILITY_WORDING)).toBe(
      "enum mood: label 'busy' added; labels 'calm', 'busy', before up it was 'calm'",
    )
  })

  it('quotes a changed definition at its first differing line, ignoring blank lines and indentation', () => {
    const view = (definition: string) => schema({ views: [{ name: 'open_jobs', definition, materialized: false }] })
    const expected = view('SELECT id,\n       state\n  FROM jobs\n WHERE state = 1')
    const live = view('select id,\n\n  state\nFROM jobs\nWHERE state = 2')
    const [difference] = compareSchemas(expected, live)
    expect(difference).toMatchObject({ attribute: 'definition', expected: 'SELECT id,\n       state\n  FROM jobs\n WHERE state = 1' })
    expect(describeDifference(difference as SchemaDifference, DRIFT_WORDING)).toBe(
      'view open_jobs: definition differs at line 5: `WHERE state = 2`, migrations say `WHERE state = 1`',
    )
    expect(formatSchemaDifferences(compareSchemas(expected, view('SELECT id,\n  state\n  FROM jobs')))).toBe(
      'open_jobs: view definition differs at line 4: (no more lines), expected `WHERE state = 1`',
    )
  })

  it('cuts a long line around its first difference, at words', () => {
    const columns = Array.from({ length: 12 }, (_, index) => `column_${index}`)
    const trigger = (timing: string) => ({
      name: 'audit',
      table: 'jobs',
      definition: `CREATE TRIGGER audit ${timing} UPDATE OF ${columns.join(', ')} ON jobs FOR EACH ROW EXECUTE FUNCTION audit()`,
    })
    const differences = compareSchemas(schema({ triggers: [trigger('BEFORE')] }), schema({ triggers: [trigger('AFTER')] }))
    expect(differences.map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
      'trigger audit on jobs: definition differs: `CREATE TRIGGER audit AFTER UPDATE OF column_0, column_1, column_2,…`, ' +
        'migrations say `CREATE TRIGGER audit BEFORE UPDATE OF column_0, column_1, column_2,…`',
    ])
    const late = (last: string) => ({ ...trigger('BEFORE'), definition: `${trigger('BEFORE').definition} WHEN (${last})` })
    const [difference] = compareSchemas(schema({ triggers: [late('OLD.x <> NEW.x')] }), schema({ triggers: [late('true')] }))
    expect(describeDifference(difference as SchemaDifference, DRIFT_WORDING)).toBe(
      'trigger audit on jobs: definition differs: `…FUNCTION audit() WHEN (true)`, migrations say `…FUNCTION audit() WHEN (OLD.x <> NEW.x)`',
    )
  })

  it("names each part of a definition that differs, and quotes the definition when the driver's parts do not tell", () => {
    const routine = (parts: Record<string, string>, definition = Object.values(parts).join('\n')) => ({
      name: 'touch()',
      definition,
      parts,
    })
    const parts = { 'return type': 'trigger', volatility: 'VOLATILE', body: '\nBEGIN\n  RETURN NEW;\nEND\n' }
    const expected = schema({ functions: [routine(parts)] })
    const changed = schema({ functions: [routine({ ...parts, volatility: 'STABLE', body: '\nBEGIN\n  RETURN OLD;\nEND\n' })] })
    expect(compareSchemas(expected, changed).map((difference) => describeDifference(difference, DRIFT_WORDING))).toEqual([
      'function touch(): volatility STABLE, migrations say VOLATILE',
      'function touch(): body differs at line 3: `RETURN OLD;`, migrations say `RETURN NEW;`',
    ])
    const costly = schema({ functions: [routine(parts, `${Object.values(parts).join('\n')}\nCOST 5`)] })
    expect(formatSchemaDifferences(compareSchemas(expected, costly))).toBe(
      'touch(): function definition differs at line 8: `COST 5`, expected (no more lines)',
    )
  })

  it('orders views after the views they name', () => {
    const views = [
      { name: 'c', definition: 'SELECT * FROM b' },
      { name: 'b', definition: 'SELECT * FROM "a"' },
      { name: 'a', definition: 'SELECT 1' },
      { name: 'loop', definition: "SELECT 'loop' FROM loop2" },
      { name: 'loop2', definition: "SELECT 'loop2' FROM loop" },
    ]
    expect(viewsInCreateOrder(views).map((view) => view.name)).toEqual(['a', 'b', 'c', 'loop', 'loop2'])
  })
})
