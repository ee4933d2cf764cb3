import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fromDirectory } from '@mig/core'
import type { LintMigration } from './lint-migrations.js'

/**
 * Every migration in a folder with its text, for {@link lintMigrations}, repeatable ones
 * included; code migrations come without text.
 */
export async function readLintMigrations(directory: string): Promise<LintMigration[]> {
  const root = resolve(directory)
  const source = fromDirectory(root)
  const migrations = [...(await source.list()), ...((await source.listRepeatables?.()) ?? [])]
  // Synchronous, as core reads them: for thousands of small files fs/promises costs several times the time and memory.
  return migrations.map(({ version, file, repeatable }) => ({
    version,
    file,
    text: file.endsWith('.sql') ? readFileSync(join(root, file), 'utf8') : undefined,
    ...(repeatable && { repeatable }),
  }))
}
