import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Refuses (`MIG_SUM_MISMATCH`) a folder whose `mig.sum` does not describe it, before `mig create`
 * adds a file: rewriting it then would hide an unresolved merge or an edited file.
 */
export async function checkMigrationSum(directory: string): Promise<void> {
  const { fromDirectory, MIGRATION_SUM_FILE, verifyMigrationSum } = await import('@mig/core')
  const path = join(directory, MIGRATION_SUM_FILE)
  if (existsSync(path)) verifyMigrationSum(await readFile(path, 'utf8'), await fromDirectory(directory).list())
}

/**
 * Refuses (`MIG_SUM_MISMATCH`), before `mig renumber` renames anything, a file it does not move
 * that changed since `mig.sum` was written: rewriting `mig.sum` afterwards would hide the edit.
 */
export async function checkNotEditedSinceSum(directory: string, moving: ReadonlySet<string>): Promise<void> {
  const { editedSinceSum, fromDirectory, MIGRATION_SUM_FILE, MigrationSumMismatchError } = await import('@mig/core')
  const path = join(directory, MIGRATION_SUM_FILE)
  if (!existsSync(path)) return
  const edited = editedSinceSum(await readFile(path, 'utf8'), await fromDirectory(directory).list(), moving)
  if (edited.length) {
    throw new MigrationSumMismatchError({
      problems: edited.map((file) => `${file} changed since mig.sum was written, and mig renumber does not move it (nothing was renamed)`),
    })
  }
}

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
