import { InvalidFilenameError } from './errors.js'

export const SQL_EXTENSION = '.sql'
export const CODE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const

const FILENAME = /^(\d+)_(.*)\.(sql|js|mjs|cjs|ts|mts|cts)$/
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

export interface ParsedFilename {
  readonly version: number
  readonly name: string
  readonly kind: 'sql' | 'code'
}

/** `0001_create_users.sql` → version 1, name `create_users`. Throws for a name that does not parse. */
export function parseMigrationFilename(file: string): ParsedFilename {
  const match = FILENAME.exec(file)
  if (!match && FILENAME.test(file.toLowerCase())) throw new InvalidFilenameError(file, 'the extension must be lower-case')
  if (!match) throw new InvalidFilenameError(file, 'the name does not start with a version and an underscore')
  const [, digits = '', name = '', extension] = match
  if (!NAME.test(name))
    throw new InvalidFilenameError(file, `the name after the version, "${name}", must be letters, digits, "_", "." or "-"`)
  return { version: parseVersion(digits, file), name, kind: extension === 'sql' ? 'sql' : 'code' }
}

export function parseVersion(digits: string, file: string): number {
  const version = Number(digits)
  if (!Number.isSafeInteger(version)) throw new InvalidFilenameError(file, `version ${digits} is too large`)
  if (version === 0) throw new InvalidFilenameError(file, 'version 0 is reserved for "before the first migration"')
  return version
}

/** Whether a file in a migrations folder is meant to be a migration (and so must parse). */
export function looksLikeMigration(file: string): boolean {
  if (file.toLowerCase().endsWith(SQL_EXTENSION)) return true
  if (/\.d\.[mc]?ts$/.test(file)) return false
  return /^\d/.test(file) && CODE_EXTENSIONS.some((extension) => file.endsWith(extension))
}
