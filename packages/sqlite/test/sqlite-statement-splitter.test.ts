import { fileURLToPath } from 'node:url'
import { runGoldenFiles } from '@mig/core/testing'
import { splitSqliteStatements } from '@mig/sqlite'
import { expect } from 'vitest'

runGoldenFiles({
  title: 'the SQLite statement splitter',
  folder: fileURLToPath(new URL('./splitter/', import.meta.url)),
  minimumCases: 16,
  run(sql) {
    const statements = splitSqliteStatements(sql)
    for (const statement of statements) expect(sql.slice(statement.offset).startsWith(statement.text)).toBe(true)
    return statements
  },
})
