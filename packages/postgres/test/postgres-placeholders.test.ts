// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are written ${name}, in plain strings on purpose
import { fromList, MigrationFailedError, Migrator, UnknownPlaceholderError } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { describe, expect, it } from 'vitest'
import { sql, useDatabase } from './support/postgres-test-database.js'

const FUNCTION = `-- mig:up
CREATE SCHEMA "\${schema}";
CREATE FUNCTION \${schema}.greeting() RETURNS text AS $$ SELECT 'hello \${who}'::text $$ LANGUAGE sql;
CREATE FUNCTION \${schema}.tagged() RETURNS text AS $body$ SELECT '\${who}'::text $body$ LANGUAGE sql;
CREATE TABLE \${schema}.notes (id int DEFAULT \${first_id}, body text DEFAULT E'\\\\\${who}', plain text DEFAULT '\${who}');
INSERT INTO \${schema}.notes DEFAULT VALUES;
-- mig:down
DROP SCHEMA \${schema} CASCADE;
`

describe('placeholders on PostgreSQL', () => {
  const database = useDatabase()
  const migrator = (content: string, placeholders: Record<string, string>) =>
    new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ file: '0001_greeting.sql', content }]),
      placeholders,
    })

  it('replaces ${name} in code and quoted identifiers, never in $$ bodies, tagged bodies or strings', async () => {
    await migrator(FUNCTION, { schema: 'tenant_a', first_id: '42' }).up()
    expect(await sql(database.url, 'SELECT tenant_a.greeting() AS greeting, tenant_a.tagged() AS tagged')).toEqual([
      { greeting: 'hello ${who}', tagged: '${who}' },
    ])
    expect(await sql(database.url, 'SELECT id, body, plain FROM tenant_a.notes')).toEqual([{ id: 42, body: '\\${who}', plain: '${who}' }])
    await migrator(FUNCTION, { schema: 'tenant_a', first_id: '42' }).down()
    expect(await sql(database.url, "SELECT 1 FROM pg_namespace WHERE nspname = 'tenant_a'")).toEqual([])
  })

  it('with -- mig:placeholders everywhere, fills function bodies too', async () => {
    await migrator(`-- mig:placeholders everywhere\n${FUNCTION}`, { schema: 'tenant_b', first_id: '1', who: 'world' }).up()
    expect(await sql(database.url, 'SELECT tenant_b.greeting() AS greeting, tenant_b.tagged() AS tagged')).toEqual([
      { greeting: 'hello world', tagged: 'world' },
    ])
  })
})

describe('an unknown placeholder on PostgreSQL', () => {
  const database = useDatabase()

  it('stops the run before the first statement, naming the line', async () => {
    const migrator = new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ file: '0001_greeting.sql', content: FUNCTION }]),
      placeholders: { schema: 'tenant_c' },
    })
    const failure = await migrator.up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UnknownPlaceholderError)
    expect((failure as UnknownPlaceholderError).toJSON()).toMatchObject({ file: '0001_greeting.sql', line: 5, placeholder: 'first_id' })
    expect(await sql(database.url, "SELECT 1 FROM pg_namespace WHERE nspname = 'tenant_c'")).toEqual([])
    expect(await sql(database.url, "SELECT 1 FROM pg_class WHERE relname = 'mig_migrations'")).toEqual([])
  })

  it('the lexer marks dollar bodies, E strings and comments, not quoted identifiers or $1', () => {
    const text = `SELECT $1, "\${a}", E'\\'\${b}', $t$ \${c} $t$ -- \${d}\n/* \${e} */ FROM x`
    const ranges = postgresDriver({ connectionString: database.url }).text.literalRanges?.(text) ?? []
    expect(ranges.map((range) => text.slice(range.start, range.end))).toEqual([`E'\\'\${b}'`, '$t$ ${c} $t$', '-- ${d}\n', '/* ${e} */'])
  })
})

describe('a failure in a migration with placeholders on PostgreSQL', () => {
  const database = useDatabase()
  // Line 4, column 20 of the file as written: the database reports it in the filled text.
  const FAILING = '-- mig:up\nCREATE TABLE ok (id int);\nSELECT ${columns},\n  ${more}, 1 AS x, no_such_column FROM ok;\n'

  it.each(['', '-- mig:no-transaction\n'])('is reported at its line and column in the file as written (%j)', async (header) => {
    const migrator = new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ file: '0001_fails.sql', content: `${header}${FAILING}` }]),
      placeholders: { columns: 'id,\n  id + 1 AS next,\n  id + 2 AS after', more: 'id + 3 AS later' },
    })
    const failure = await migrator.up().catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(MigrationFailedError)
    const line = header ? 5 : 4
    expect((failure as MigrationFailedError).position).toEqual({ line, column: 20 })
    expect((failure as MigrationFailedError).message).toContain(`0001_fails.sql:${line}:20 failed`)
    expect((failure as MigrationFailedError).statement).toContain('id + 2 AS after')
  })
})
