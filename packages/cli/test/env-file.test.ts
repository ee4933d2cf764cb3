import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runGoldenFiles } from '@mig/core/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseEnvFile, withEnvFile } from '../src/env-file.ts'
import { temporaryDirectory } from './run-mig.ts'

/** Each `.env` case beside what it reads as, or the error it gets. */
runGoldenFiles({
  title: 'the .env parser',
  folder: fileURLToPath(new URL('./env-file/', import.meta.url)),
  extension: '.env',
  minimumCases: 9,
  run: (text, file) => {
    try {
      return parseEnvFile(text, file)
    } catch (error) {
      return { error: (error as { code: string }).code, message: (error as Error).message }
    }
  },
})

describe('the environment a command sees', () => {
  let folder: { path: string; remove: () => Promise<void> }
  beforeEach(async () => {
    folder = await temporaryDirectory('with-env-file')
  })
  afterEach(() => folder.remove())

  it('adds .env below the real environment, which wins even when it is empty', async () => {
    await writeFile(join(folder.path, '.env'), 'DATABASE_URL=sqlite:./a.db\nMIG_TABLE=from_file\nMIG_DIR=db\n')
    const environment = withEnvFile({}, { MIG_TABLE: 'real', MIG_DIR: '' }, folder.path)
    expect(environment).toMatchObject({ DATABASE_URL: 'sqlite:./a.db', MIG_TABLE: 'real', MIG_DIR: '' })
  })

  it('reads nothing without a .env, and refuses a missing --env-file naming it', async () => {
    expect(withEnvFile({}, { A: '1' }, folder.path)).toEqual({ A: '1' })
    expect(() => withEnvFile({ 'env-file': 'ci.env' }, {}, folder.path)).toThrow(
      /The env file ci\.env does not exist\. Point --env-file at a KEY=VALUE file, or leave it out\./,
    )
    await mkdir(join(folder.path, 'folder.env'))
    expect(() => withEnvFile({ 'env-file': 'folder.env' }, {}, folder.path)).toThrow(/folder\.env is a folder/)
  })
})
