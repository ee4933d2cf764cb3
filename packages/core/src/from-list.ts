import { checksumOf } from './checksum.js'
import { loadCodeMigration } from './code-migration.js'
import { InvalidFilenameError, InvalidMigrationError, InvalidOptionsError } from './errors.js'
import type { Migration, MigrationFunction, MigrationScripts, MigrationSource, MigrationStep } from './migration.js'
import { parseMigrationFile } from './migration-file-parser.js'
import { checkedVersion, isMigrationName, MIGRATION_NAME_RULE, parseMigrationFilename } from './migration-filename.js'
import { isRepeatableFile, repeatableMigration } from './repeatable-migration.js'

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
 * later from the bundle sees the same checksums. A code migration (`0002_backfill.mjs`) also
 * needs its imported `module`; the checksum still comes from `content`, its source text.
 */
export interface MigrationFileText {
  readonly file: string
  readonly content: string
  readonly module?: unknown
}

export type ListedMigration = MigrationDefinition | MigrationFileText

/**
 * Migrations given in code, for applications bundled without a migrations folder. A file text
 * named `repeatable/<name>.sql` is a repeatable migration.
 */
export function fromList(migrations: readonly ListedMigration[]): MigrationSource {
  if (!Array.isArray(migrations)) {
    throw new InvalidOptionsError(
      'fromList needs an array of migrations, such as [{ file: "0001_init.sql", content }] or [{ version: 1, name: "init", up: "CREATE TABLE …" }]; for a folder use fromDirectory.',
    )
  }
  const odd = migrations.find((entry) => typeof entry !== 'object' || entry === null)
  if (odd !== undefined) {
    throw new InvalidOptionsError(`fromList needs objects such as { file, content } or { version, name, up }, not ${String(odd)}.`)
  }
  const repeatables = migrations.flatMap((entry) =>
    'content' in entry && isRepeatableFile(entry.file) ? [repeatableMigration(entry.file, entry.content)] : [],
  )
  const listed = migrations.filter((entry) => !('content' in entry && isRepeatableFile(entry.file))).map(toMigration)
  return { list: async () => listed, listRepeatables: async () => repeatables }
}

function toMigration(entry: ListedMigration): Migration {
  if ('content' in entry) {
    const { version, name, kind } = parseMigrationFilename(entry.file)
    if (kind === 'code' && entry.module === undefined) {
      throw new InvalidMigrationError({
        file: entry.file,
        reason: 'is a code migration: give its imported module too, as { file, content, module }.',
      })
    }
    const scripts = kind === 'sql' ? parseMigrationFile(entry.file, entry.content) : loadCodeMigration(entry.file, entry.module)
    return { version, name, file: entry.file, checksum: checksumOf(entry.content), load: async () => scripts }
  }
  const file = `${entry.version}_${entry.name}`
  if (typeof entry.name !== 'string') {
    throw new InvalidMigrationError({
      file: `Version ${entry.version}`,
      reason: 'has no name: give each definition { version, name, up }.',
    })
  }
  checkedVersion(entry.version, file)
  if (!isMigrationName(entry.name)) throw new InvalidFilenameError({ file, reason: `the name must be ${MIGRATION_NAME_RULE}` })
  if (entry.transaction !== undefined && typeof entry.transaction !== 'boolean')
    throw new InvalidMigrationError({ file, reason: 'transaction must be true or false.' })
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
    throw new InvalidMigrationError({ file, reason: `${direction} must be SQL text or a function.` })
  }
  return { kind: 'sql', sql: step, line: 1 }
}
