import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MigError, parseMigrationFile } from '@mig/core'
import { runGoldenFiles } from '@mig/core/testing'
import { describe, expect, it } from 'vitest'

const folder = new URL('./parser/', import.meta.url)
const cases = readdirSync(folder).filter((file) => file.endsWith('.sql'))

function parseOrError(file: string, text: string): unknown {
  try {
    return JSON.parse(JSON.stringify(parseMigrationFile(file, text)))
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
