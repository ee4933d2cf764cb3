import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { splitPostgresStatements } from '../src/postgres-statement-splitter.js'

const folder = fileURLToPath(new URL('./splitter/', import.meta.url))
const cases = readdirSync(folder)
  .filter((file) => file.endsWith('.sql'))
  .map((file) => file.slice(0, -'.sql'.length))

/** Set MIG_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change; review the diff. */
const update = process.env.MIG_UPDATE_GOLDEN === '1'

describe('the PostgreSQL statement splitter', () => {
  it.each(cases)('splits %s.sql as its golden file says', (name) => {
    const sql = readFileSync(`${folder}${name}.sql`, 'utf8')
    const statements = splitPostgresStatements(sql)
    for (const statement of statements) expect(sql.slice(statement.offset, statement.offset + statement.text.length)).toBe(statement.text)
    if (update) writeFileSync(`${folder}${name}.golden.json`, `${JSON.stringify(statements, null, 2)}\n`)
    expect(statements).toEqual(JSON.parse(readFileSync(`${folder}${name}.golden.json`, 'utf8')))
  })
})
