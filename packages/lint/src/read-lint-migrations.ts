import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fromDirectory, verifyMigrationSum } from '@mig/core'
import type { LintMigration } from './lint-migrations.js'

/**
 * Every migration in a folder with its text, for {@link lintMigrations}, repeatable ones
 * included; code migrations come without text. Refuses a folder that `mig.sum` disagrees with,
 * as every reader of the migrations does.
 */
export async function readLintMigrations(directory: string): Promise<LintMigration[]> {
  const root = resolve(directory)
  const source = fromDirectory(root)
  const versioned = await source.list()
  const sum = await source.sum?.()
  if (sum !== undefined) verifyMigrationSum(sum, versioned)
  const migrations = [...versioned, ...((await source.listRepeatables?.()) ?? [])]
  // Synchronous, as core reads them: for thousands of small files fs/promises costs several times the time and memory.
  return migrations.map(({ version, file, repeatable }) => ({
    version,
    file,
    text: file.endsWith('.sql') ? readFileSync(join(root, file), 'utf8') : undefined,
    ...(repeatable && { repeatable }),
  }))
}
