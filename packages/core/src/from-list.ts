import { checksumOf } from './checksum.js'
import { InvalidFilenameError, InvalidMigrationError } from './errors.js'
import type { Migration, MigrationFunction, MigrationScripts, MigrationSource, MigrationStep } from './migration.js'
import { parseMigrationFile } from './migration-file-parser.js'
import { parseMigrationFilename } from './migration-filename.js'

/** A migration written in code, for bundled applications. */
export interface MigrationDefinition {
  readonly version: number
  readonly name: string
  /** SQL text, or a function that gets a {@link MigrationContext}. */
  readonly up: string | MigrationFunction
  /** Absent for an irreversible migration. */
  readonly down?: string | MigrationFunction
  /** `false` runs the migration outside a transaction. Default `true`. */
  readonly transaction?: boolean
}

/**
 * A migration file carried as text (a bundler's raw import of `0001_init.sql`). It is parsed
 * and checksummed exactly like the file on disk, so a database migrated from the folder and
 * later from the bundle sees the same checksums.
 */
export interface MigrationFileText {
  readonly file: string
  readonly content: string
}

export type ListedMigration = MigrationDefinition | MigrationFileText

/** Migrations given in code, for applications bundled without a migrations folder. */
export function fromList(migrations: readonly ListedMigration[]): MigrationSource {
  const listed = migrations.map(toMigration)
  return { list: async () => listed }
}

function toMigration(entry: ListedMigration): Migration {
  if ('content' in entry) {
    const { version, name, kind } = parseMigrationFilename(entry.file)
    if (kind !== 'sql')
      throw new InvalidFilenameError(entry.file, 'only SQL files can be given as text; give code migrations as { version, name, up }')
    const scripts = parseMigrationFile(entry.file, entry.content)
    return { version, name, file: entry.file, checksum: checksumOf(entry.content), load: async () => scripts }
  }
  const file = `${entry.version}_${entry.name}`
  if (!Number.isSafeInteger(entry.version) || entry.version <= 0) {
    throw new InvalidFilenameError(file, 'the version must be a positive integer')
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(entry.name)) {
    throw new InvalidFilenameError(file, 'the name must be letters, digits, "_", "." or "-"')
  }
  const scripts: MigrationScripts = {
    up: toStep(file, entry.up, 'up'),
    down: entry.down === undefined ? undefined : toStep(file, entry.down, 'down'),
    transaction: entry.transaction ?? true,
  }
  const checksum = checksumOf([entry.up, entry.down ?? ''].map(String).join('\n-- mig:down\n'))
  return { version: entry.version, name: entry.name, file, checksum, load: async () => scripts }
}

function toStep(file: string, step: string | MigrationFunction, direction: 'up' | 'down'): MigrationStep {
  if (typeof step === 'function') return { kind: 'code', run: step }
  if (typeof step !== 'string' || step.trim() === '') {
    throw new InvalidMigrationError(file, undefined, `${direction} must be SQL text or a function.`)
  }
  return { kind: 'sql', sql: step, line: 1 }
}
