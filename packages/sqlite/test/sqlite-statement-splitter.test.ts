import { readdirSync, readFileSync } from 'node:fs'
import { splitSqliteStatements } from '@mig/sqlite'
import { describe, expect, it } from 'vitest'

const folder = new URL('./splitter/', import.meta.url)
const cases = readdirSync(folder).filter((file) => file.endsWith('.sql'))

describe('the SQLite statement splitter, against golden files', () => {
  it.each(cases)('%s', (file) => {
    const sql = readFileSync(new URL(file, folder), 'utf8')
    const expected = JSON.parse(readFileSync(new URL(file.replace(/\.sql$/, '.golden.json'), folder), 'utf8'))
    const statements = splitSqliteStatements(sql)
    expect(statements).toEqual(expected)
    for (const statement of statements) expect(sql.slice(statement.offset).startsWith(statement.text)).toBe(true)
  })

  it('has golden cases to check', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3)
  })
})
