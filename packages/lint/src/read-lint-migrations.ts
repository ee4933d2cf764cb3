import { readFile } from 'node:fs/promises'
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
  return Promise.all(
    migrations.map(async ({ version, file, repeatable }) => ({
      version,
      file,
      text: file.endsWith('.sql') ? await readFile(join(root, file), 'utf8') : undefined,
      ...(repeatable && { repeatable }),
    })),
  )
}
