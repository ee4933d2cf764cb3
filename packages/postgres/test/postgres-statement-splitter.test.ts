import { fileURLToPath } from 'node:url'
import { runGoldenFiles } from '@mig/core/testing'
import { expect } from 'vitest'
import { splitPostgresStatements } from '../src/postgres-statement-splitter.js'

runGoldenFiles({
  title: 'the PostgreSQL statement splitter',
  folder: fileURLToPath(new URL('./splitter/', import.meta.url)),
  minimumCases: 16,
  run(sql) {
    const statements = splitPostgresStatements(sql)
    for (const statement of statements) expect(sql.slice(statement.offset, statement.offset + statement.text.length)).toBe(statement.text)
    return statements
  },
})
