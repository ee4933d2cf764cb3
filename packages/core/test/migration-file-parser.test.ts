import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MigError, parseMigrationFile } from '@mig/core'
import { runGoldenFiles } from '@mig/core/testing'
import { describe, expect, it } from 'vitest'

const folder = new URL('./parser/', import.meta.url)
const cases = readdirSync(folder).filter((file) => file.endsWith('.sql'))

/** Cases named `repeatable-*.sql` are parsed as files of `migrations/repeatable/`. */
function parseOrError(file: string, text: string): unknown {
  try {
    return JSON.parse(JSON.stringify(parseMigrationFile(file, text, file.startsWith('repeatable-') ? 'repeatable' : 'versioned')))
  } catch (error) {
    if (!(error instanceof MigError)) throw error
    return { error: error.code, message: error.message }
  }
}

runGoldenFiles({
  title: 'the migration file parser',
  folder: fileURLToPath(folder),
  minimumCases: 13,
  run: (text, file) => parseOrError(file, text),
})

describe('the migration file parser', () => {
  it('covers both well-formed files and every kind of error', () => {
    const outcomes = cases.map((file) => parseOrError(file, readFileSync(new URL(file, folder), 'utf8')) as { error?: string })
    expect(outcomes.filter((outcome) => outcome.error).length).toBeGreaterThanOrEqual(8)
    expect(outcomes.filter((outcome) => !outcome.error).length).toBeGreaterThanOrEqual(5)
  })
})

describe('-- mig:allow, the lint suppression', () => {
  it('is accepted on any line, before or after -- mig:no-transaction, and changes nothing else', () => {
    const plain = parseMigrationFile('plain.sql', '-- mig:no-transaction\n-- mig:up\nCREATE INDEX CONCURRENTLY i ON t (a);\n')
    const allowed = parseMigrationFile(
      'allowed.sql',
      '-- mig:allow drop-table: whole file\n-- mig:no-transaction\n-- mig:allow x\n-- mig:up\nCREATE INDEX CONCURRENTLY i ON t (a);\n',
    )
    expect(allowed.transaction).toBe(false)
    expect(allowed.up).toEqual({ ...plain.up, line: 5 })
  })

  it('still refuses -- mig:no-transaction after -- mig:up, and look-alike annotations', () => {
    expect(() => parseMigrationFile('late.sql', '-- mig:up\n-- mig:allow x: y\n-- mig:no-transaction\nSELECT 1;\n')).toThrow(
      /late\.sql:3: "-- mig:no-transaction" applies to the whole file/,
    )
    for (const annotation of ['allowed x: y', 'allow-all', 'allowx']) {
      expect(() => parseMigrationFile('odd.sql', `-- mig:up\n-- mig:${annotation}\n`)).toThrow(/unknown annotation/)
    }
  })
})
