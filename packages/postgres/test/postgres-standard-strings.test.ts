import { fromList, MigrationFailedError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { describe, expect, it } from 'vitest'
import { mentionsStandardStrings } from '../src/postgres-standard-strings.js'
import { createDatabase, sql } from './support/postgres-test-database.js'

const backslashStrings = (version: number, table: string) => ({
  file: `000${version}_${table}.sql`,
  content: `-- mig:up
CREATE TABLE ${table} (label TEXT);
SET standard_conforming_strings = off;
INSERT INTO ${table} VALUES ('it\\'s; fine');
INSERT INTO ${table} VALUES (E'a\\n'
'it\\'s; b');
RESET standard_conforming_strings;
INSERT INTO ${table} VALUES ('C:\\');
`,
})

describe('strings as the PostgreSQL server reads them', () => {
  it('looks for a change of the setting only in scripts whose text could make one', () => {
    expect(mentionsStandardStrings("INSERT INTO t VALUES ('a; b');")).toBe(false)
    expect(mentionsStandardStrings('set Standard_Conforming_Strings to off;')).toBe(true)
    expect(mentionsStandardStrings('reset   all;')).toBe(true)
    expect(mentionsStandardStrings("SELECT 'reset allowed';")).toBe(false)
  })

  it('a section that turns standard_conforming_strings off runs, in a transaction and outside one', async () => {
    const database = await createDatabase()
    try {
      const outside = backslashStrings(2, 'outside')
      const source = fromList([backslashStrings(1, 'inside'), { ...outside, content: `-- mig:no-transaction\n${outside.content}` }])
      await new Migrator({ driver: postgresDriver({ connectionString: database.url }), source }).up()
      for (const table of ['inside', 'outside']) {
        const labels = await sql<{ label: string }>(database.url, `SELECT label FROM ${table} ORDER BY label`)
        expect(labels.map((row) => row.label)).toEqual(['C:\\', "a\nit's; b", "it's; fine"])
      }
    } finally {
      await database.drop()
    }
  })

  it('a failure in such a section still names its line in the file', async () => {
    const database = await createDatabase()
    try {
      const source = fromList([
        {
          file: '0001_fails.sql',
          content: "-- mig:up\nSET standard_conforming_strings = off;\nSELECT 'it\\'s';\nSELECT * FROM missing_table;\n",
        },
      ])
      const error = await new Migrator({ driver: postgresDriver({ connectionString: database.url }), source })
        .up()
        .catch((caught) => caught)
      expect(error).toBeInstanceOf(MigrationFailedError)
      expect((error as MigrationFailedError).position?.line).toBe(4)
      expect((error as MigrationFailedError).rolledBack).toBe(true)
    } finally {
      await database.drop()
    }
  })
})
