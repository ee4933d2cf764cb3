import { InvalidFilenameError } from './errors.js'
import { type MigrationVersion, toVersion, versionFromDigits } from './migration-version.js'

const FILENAME = /^(\d+)_(.*)\.(sql|js|mjs|cjs|ts|mts|cts)$/
const CODE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/** The one rule for a migration's name (the part after the version): for files, `fromList` and `mig create`. */
export const MIGRATION_NAME_RULE = 'letters, digits, "_", "." or "-", starting with a letter or digit'

export function isMigrationName(name: string): boolean {
  return typeof name === 'string' && NAME.test(name)
}

export interface ParsedFilename {
  readonly version: MigrationVersion
  readonly name: string
  readonly kind: 'sql' | 'code'
}

/** `0001_create_users.sql` → version 1, name `create_users`. Throws for a name that does not parse. */
export function parseMigrationFilename(file: string): ParsedFilename {
  const match = FILENAME.exec(file)
  const fail = (reason: string): never => {
    throw new InvalidFilenameError({ file, reason })
  }
  if (!match && FILENAME.test(file.toLowerCase())) fail('the extension must be lower-case')
  if (!match) return fail('the name does not start with a version and an underscore')
  const [, digits = '', name = '', extension] = match
  if (!isMigrationName(name)) fail(`the name after the version, "${name}", must be ${MIGRATION_NAME_RULE}`)
  return { version: checkedVersion(versionFromDigits(digits), file), name, kind: extension === 'sql' ? 'sql' : 'code' }
}

/** A version as a positive integer of any length, in its one form (see {@link MigrationVersion}). */
export function checkedVersion(value: unknown, file: string): MigrationVersion {
  const version = toVersion(value)
  if (version === 0) throw new InvalidFilenameError({ file, reason: 'version 0 is reserved for "before the first migration"' })
  if (version === undefined) {
    const reason =
      typeof value === 'number' && Number.isInteger(value) && value > 0
        ? `version ${value} is beyond 2^53 and may have been rounded; give it as a bigint`
        : 'the version must be a positive integer'
    throw new InvalidFilenameError({ file, reason })
  }
  return version
}

/** Whether a file in a migrations folder is meant to be a migration (and so must parse). */
export function looksLikeMigration(file: string): boolean {
  if (file.toLowerCase().endsWith('.sql')) return true
  if (/\.d\.[mc]?ts$/.test(file)) return false
  return /^\d/.test(file) && isCodeMigrationFile(file)
}

/** Whether a migration's file is a code migration (`.ts`, `.js`, …) by its extension. */
export function isCodeMigrationFile(file: string): boolean {
  return CODE_EXTENSIONS.some((extension) => file.endsWith(extension))
}
