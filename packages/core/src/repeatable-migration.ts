import { checksumOf } from './checksum.js'
import { InvalidMigrationError } from './errors.js'
import type { MigrationScripts, RepeatableMigration } from './migration.js'
import { parseMigrationFile } from './migration-file-parser.js'
import { isMigrationName, MIGRATION_NAME_RULE } from './migration-filename.js'

/** The folder, inside the migrations folder, whose `.sql` files are repeatable migrations. */
export const REPEATABLE_FOLDER = 'repeatable'

/** Whether a file name given to `fromList` (`repeatable/views.sql`) names a repeatable migration. */
export function isRepeatableFile(file: string): boolean {
  return file.startsWith(`${REPEATABLE_FOLDER}/`)
}

/**
 * A repeatable migration from its text: `repeatable/<name>.sql`, where the name follows the
 * migration name rule. Checksummed now, parsed when it is about to run or be validated.
 */
export function repeatableMigration(file: string, text: string): RepeatableMigration {
  const base = file.slice(REPEATABLE_FOLDER.length + 1)
  if (!base.endsWith('.sql')) {
    throw new InvalidMigrationError({
      file,
      reason: 'is not a .sql file: a repeatable migration is SQL only. Move it out of the repeatable folder, or write it as SQL.',
    })
  }
  const name = base.slice(0, -'.sql'.length)
  if (!isMigrationName(name)) {
    throw new InvalidMigrationError({ file, reason: `the name "${name}" must be ${MIGRATION_NAME_RULE}. Rename the file.` })
  }
  let scripts: MigrationScripts | undefined
  return {
    version: 0,
    name,
    file,
    repeatable: true,
    checksum: checksumOf(text),
    load: async () => (scripts ??= parseMigrationFile(file, text, 'repeatable')),
  }
}

/** Repeatable migrations in the order they run, by name; two with one name are an error. */
export function sortRepeatables(repeatables: readonly RepeatableMigration[]): RepeatableMigration[] {
  const sorted = [...repeatables].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  sorted.forEach((repeatable, index) => {
    if (index > 0 && sorted[index - 1]?.name === repeatable.name) {
      throw new InvalidMigrationError({
        file: repeatable.file,
        reason: 'is listed twice: each repeatable migration needs a name of its own.',
      })
    }
  })
  return sorted
}
