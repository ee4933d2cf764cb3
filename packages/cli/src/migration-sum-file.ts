import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Writes the folder's `mig.sum` for the migration files it holds now: always for `mig hash`,
 * and after `mig create` and `mig renumber` only when the folder already has one. Returns how
 * many migrations it lists, or undefined when it was not written.
 */
export async function writeMigrationSum(directory: string, when: 'always' | 'if-present'): Promise<number | undefined> {
  const { fromDirectory, MIGRATION_SUM_FILE, renderMigrationSum } = await import('@mig/core')
  const path = join(directory, MIGRATION_SUM_FILE)
  if (when === 'if-present' && !existsSync(path)) return undefined
  const migrations = await fromDirectory(directory).list()
  await writeFile(path, renderMigrationSum(migrations))
  return migrations.length
}
