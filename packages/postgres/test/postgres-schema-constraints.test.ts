import { compareSchemas, DRIFT_WORDING, describeDifference, fromList, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createDatabase, sql } from './support/postgres-test-database.js'

// Keys and checks as a team adds them to a large table in production: NOT VALID first, deferred
// where rows are swapped in one transaction, and exclusion constraints for bookings.
const schema = `CREATE TABLE rooms (id int PRIMARY KEY, code text NOT NULL);
CREATE TABLE slots (number int PRIMARY KEY DEFERRABLE);
CREATE TABLE bookings (
  id int PRIMARY KEY,
  room_id int NOT NULL,
  position int NOT NULL,
  during tsrange NOT NULL,
  cancelled boolean NOT NULL DEFAULT false,
  CONSTRAINT bookings_position UNIQUE (room_id, position) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&) WHERE (NOT cancelled),
  CONSTRAINT bookings_one_code EXCLUDE USING btree (id WITH =)
);
ALTER TABLE bookings ADD CONSTRAINT bookings_room FOREIGN KEY (room_id) REFERENCES rooms (id) NOT VALID;
ALTER TABLE bookings ADD CONSTRAINT bookings_positive CHECK (position > 0) NOT VALID;
ALTER TABLE rooms ADD CONSTRAINT rooms_code CHECK (code <> '');
CREATE TABLE moves (booking_id int NOT NULL REFERENCES bookings (id) DEFERRABLE INITIALLY DEFERRED);`

describe('drift on PostgreSQL sees how keys and checks are enforced', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>
  const migrator = () =>
    new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ version: 1, name: 'bookings', up: schema }]),
    })
  const drift = async () => (await migrator().drift()).differences.map((difference) => describeDifference(difference, DRIFT_WORDING))

  beforeEach(async () => {
    database = await createDatabase()
    await migrator().up()
  })
  afterEach(() => database.drop())

  it('reports nothing when the database holds what the migrations build', async () => {
    expect(await drift()).toEqual([])
    const bookings = (await migrator().describeSchema()).tables.find((table) => table.name === 'bookings')
    expect(bookings?.foreignKeys).toEqual([
      expect.objectContaining({ columns: ['room_id'], referencedTable: 'rooms', validity: 'NOT VALID' }),
    ])
    expect(bookings?.checks).toEqual([{ column: 'position', expression: '"position" > 0', validity: 'NOT VALID' }])
    expect(bookings?.deferrableKeys).toEqual([
      { kind: 'unique', columns: ['room_id', 'position'], timing: 'DEFERRABLE INITIALLY DEFERRED' },
    ])
    expect(bookings?.exclusions?.map((exclusion) => exclusion.name)).toEqual(['bookings_no_overlap', 'bookings_one_code'])
  })

  it('reports a constraint validated, or added NOT VALID, by hand', async () => {
    await sql(
      database.url,
      `ALTER TABLE bookings VALIDATE CONSTRAINT bookings_positive;
       ALTER TABLE bookings VALIDATE CONSTRAINT bookings_room;
       ALTER TABLE rooms DROP CONSTRAINT rooms_code, ADD CONSTRAINT rooms_code_by_hand CHECK (code <> '') NOT VALID;`,
    )
    expect(await drift()).toEqual([
      'foreign key on bookings (room_id) → rooms (id) on delete NO ACTION on update NO ACTION: validity valid, migrations say NOT VALID',
      'check "position" > 0 on bookings: validity valid, migrations say NOT VALID',
      "check code <> ''::text on rooms: validity NOT VALID, migrations say valid",
    ])
  })

  it('reports a key made deferrable, or no longer deferrable, by hand', async () => {
    await sql(
      database.url,
      `ALTER TABLE moves ALTER CONSTRAINT moves_booking_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
       ALTER TABLE bookings DROP CONSTRAINT bookings_position, ADD CONSTRAINT bookings_position UNIQUE (room_id, position);
       ALTER TABLE slots DROP CONSTRAINT slots_pkey, ADD PRIMARY KEY (number);`,
    )
    expect(await drift()).toEqual([
      'unique on bookings (room_id, position): timing NOT DEFERRABLE, migrations say DEFERRABLE INITIALLY DEFERRED',
      'foreign key on moves (booking_id) → bookings (id) on delete NO ACTION on update NO ACTION: timing DEFERRABLE, migrations say DEFERRABLE INITIALLY DEFERRED',
      'primary key on slots: timing NOT DEFERRABLE, migrations say DEFERRABLE',
    ])
  })

  it('reports an exclusion constraint missing, extra or redefined, whatever its name', async () => {
    await sql(
      database.url,
      `ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap,
         ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&) WHERE (NOT cancelled) DEFERRABLE;
       ALTER TABLE bookings DROP CONSTRAINT bookings_one_code, ADD CONSTRAINT renamed_by_hand EXCLUDE USING btree (id WITH =);
       ALTER TABLE rooms ADD EXCLUDE USING btree (code WITH =);`,
    )
    expect(await drift()).toEqual([
      'exclusion constraint bookings_no_overlap on bookings: definition differs: ' +
        '`EXCLUDE USING gist (during WITH &&) WHERE (NOT cancelled) DEFERRABLE`, migrations say `EXCLUDE USING gist (during WITH &&) WHERE (NOT cancelled)`',
      'exclusion constraint EXCLUDE USING btree (code WITH =) on rooms extra in the database',
    ])
    await sql(database.url, 'ALTER TABLE bookings DROP CONSTRAINT renamed_by_hand')
    expect(await drift()).toContain('exclusion constraint EXCLUDE USING btree (id WITH =) on bookings missing in the database')
  })

  it('mig test finds the down of a VALIDATE CONSTRAINT that does not add the constraint back NOT VALID', async () => {
    const validating = (down: string) =>
      new Migrator({
        driver: postgresDriver({ connectionString: database.url }),
        source: fromList([
          { version: 1, name: 'positive', up: 'CREATE TABLE t (n int); ALTER TABLE t ADD CONSTRAINT t_positive CHECK (n > 0) NOT VALID' },
          { version: 2, name: 'validate', up: 'ALTER TABLE t VALIDATE CONSTRAINT t_positive', down },
        ]),
      })
    const leftValid = await validating('SELECT 1').testReversibility({ from: 2 })
    expect(leftValid.migrations.map((entry) => entry.outcome)).toEqual(['not-restored'])
    expect(leftValid.migrations[0]?.differences.map((difference) => difference.message)).toEqual([
      'check n > 0 validity is valid, expected NOT VALID',
    ])
    const restored = await validating('ALTER TABLE t DROP CONSTRAINT t_positive, ADD CONSTRAINT t_positive CHECK (n > 0) NOT VALID')
    expect((await restored.testReversibility({ from: 2 })).passed).toBe(true)
  })

  it('drafts the changes that undo each difference, and dumps a script that keeps them', async () => {
    const expected = await migrator().describeSchema()
    await sql(
      database.url,
      `ALTER TABLE bookings VALIDATE CONSTRAINT bookings_positive;
       ALTER TABLE moves ALTER CONSTRAINT moves_booking_id_fkey NOT DEFERRABLE;
       ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;`,
    )
    const live = await migrator().describeSchema()
    const changes = postgresDriver({ connectionString: database.url }).schema?.renderChanges?.(live, expected)
    await sql(database.url, changes?.statements.join('\n') ?? '')
    expect(compareSchemas(expected, await migrator().describeSchema())).toEqual([])

    const empty = await createDatabase()
    try {
      // A NOT VALID check inside CREATE TABLE would be marked valid: the dump adds it afterwards.
      await sql(empty.url, await migrator().dump())
      const loaded = new Migrator({ driver: postgresDriver({ connectionString: empty.url }), source: fromList([]) })
      expect(await loaded.describeSchema()).toEqual(await migrator().describeSchema())
    } finally {
      await empty.drop()
    }
  })
})
