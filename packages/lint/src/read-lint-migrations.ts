import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fromDirectory } from '@mig/core'
import type { LintMigration } from './lint-migrations.js'

/** Every migration in a folder with its text, for {@link lintMigrations}; code migrations come without text. */
export async function readLintMigrations(directory: string): Promise<LintMigration[]> {
  const root = resolve(directory)
  const migrations = await fromDirectory(root).list()
  return Promise.all(
    migrations.map(async ({ version, file }) => ({
      version,
      file,
      text: file.endsWith('.sql') ? await readFile(join(root, file), 'utf8') : undefined,
    })),
  )
}
