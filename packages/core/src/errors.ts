import type { LockHolder } from './driver.js'
import type { MigrationInfo } from './migration.js'
import { type MigrationVersion, versionJson } from './migration-version.js'

/**
 * Stable error codes. A code never changes meaning once released; the CLI maps them to exit
 * codes and applications may switch on them.
 */
export type MigErrorCode =
  | 'MIG_INVALID_OPTIONS'
  | 'MIG_UNSUPPORTED'
  | 'MIG_BASELINE_REFUSED'
  | 'MIG_REPAIR_REFUSED'
  | 'MIG_SCHEMA_CONVERSION'
  | 'MIG_RENUMBER_REFUSED'
  | 'MIG_SUM_MISMATCH'
  | 'MIG_INVALID_FILENAME'
  | 'MIG_DUPLICATE_VERSION'
  | 'MIG_INVALID_MIGRATION'
  /** A `${name}` in a migration with no value for it (a subclass of MIG_INVALID_MIGRATION's error). */
  | 'MIG_UNKNOWN_PLACEHOLDER'
  | 'MIG_UNKNOWN_VERSION'
  | 'MIG_CHECKSUM_MISMATCH'
  | 'MIG_MISSING_MIGRATION'
  | 'MIG_REPLACED_MIGRATION'
  | 'MIG_UNREADABLE_HISTORY'
  | 'MIG_OUT_OF_ORDER'
  | 'MIG_PARTIAL_MIGRATION'
  | 'MIG_MIGRATION_FAILED'
  | 'MIG_IRREVERSIBLE'
  | 'MIG_LOCK_TIMEOUT'
  | 'MIG_LOCK_LOST'
  /** The connection was lost as a migration committed, which a new connection found it did; the run stopped after it. */
  | 'MIG_CONNECTION_LOST'
  | 'MIG_DATABASE_ERROR'
  | 'MIG_ABORTED'
  | 'MIG_SCHEMA_MISMATCH'
  /** mig lint found an error-level finding in a pending migration that no `-- mig:allow` allows (@mig/lint). */
  | 'MIG_LINT_FAILED'

/** How a migration appears in an error's JSON form. */
export type MigrationJson = { version: number | string; name: string; file: string }

/** Marks mig's errors in every copy of @mig/core loaded in one process. */
const MIG_ERROR = Symbol.for('@mig/core.error')

/**
 * Base class of every error mig throws on purpose. `toJSON()` is the error's documented
 * machine-readable form (`{ code, message, …fields }`), which the CLI prints for `--json`.
 */
export class MigError extends Error {
  readonly code: MigErrorCode

  constructor(code: MigErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }

  /**
   * `instanceof` also holds for an error of the same class from another copy of @mig/core: an
   * application that imports core as an ES module and requires a driver (which requires core's
   * CommonJS build) has two, and the driver's errors come from the other one.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: subclasses inherit this method, and `this` is the class right of instanceof.
    return isInstanceOf(this, value)
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message }
  }
}

Object.defineProperty(MigError.prototype, MIG_ERROR, { value: true })

function isInstanceOf(type: typeof MigError, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(type, value)) return true
  if (typeof value !== 'object' || value === null || !(MIG_ERROR in value)) return false
  for (let prototype = Object.getPrototypeOf(value); prototype !== null; prototype = Object.getPrototypeOf(prototype)) {
    if (Object.hasOwn(prototype, 'constructor') && prototype.constructor.name === type.name) return true
  }
  return false
}

/** Options that cannot work together or a value out of range; nothing was touched. */
export class InvalidOptionsError extends MigError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('MIG_INVALID_OPTIONS', message, options)
  }
}

/** The driver lacks a part the operation needs (schema snapshots, scratch databases); nothing was touched. */
export class UnsupportedFeatureError extends InvalidOptionsError {
  override readonly code = 'MIG_UNSUPPORTED'
}

/** A baseline that cannot be recorded as asked; nothing was written. */
export class BaselineRefusedError extends InvalidOptionsError {
  override readonly code = 'MIG_BASELINE_REFUSED'
}

/** A repair that does not apply to the history row it names; nothing was written. */
export class RepairRefusedError extends InvalidOptionsError {
  override readonly code = 'MIG_REPAIR_REFUSED'
}

/** A renumbering that would move an applied migration, or that cannot tell which file to move; nothing was renamed. */
export class RenumberRefusedError extends InvalidOptionsError {
  override readonly code = 'MIG_RENUMBER_REFUSED'
}

/** A schema file that cannot be turned into a migration; the database was not touched. */
export class SchemaConversionError extends InvalidOptionsError {
  override readonly code = 'MIG_SCHEMA_CONVERSION'
}

/** A file in the migrations folder whose name is not `<digits>_<name>.<ext>`. */
export class InvalidFilenameError extends MigError {
  readonly file: string

  constructor(options: { file: string; reason: string }) {
    super(
      'MIG_INVALID_FILENAME',
      `${options.file}: ${options.reason}. Migration files are named <version>_<name>.sql (or .js, .mjs, .cjs, .ts, .mts, .cts), for example 0001_create_users.sql.`,
    )
    this.file = options.file
  }

  override toJSON() {
    return { ...super.toJSON(), file: this.file }
  }
}

export class DuplicateVersionError extends MigError {
  readonly version: MigrationVersion
  readonly files: readonly string[]

  constructor(options: { version: MigrationVersion; files: readonly string[] }) {
    super(
      'MIG_DUPLICATE_VERSION',
      `Version ${options.version} is used by more than one migration: ${options.files.join(', ')} (two branches merged?). Give each migration its own version. In a migrations folder, \`mig renumber\` moves the ones not applied to the database it reads after the newest; point it at the shared one (\`--url\`, \`--dry-run\` first) when yours has your branch's.`,
    )
    this.version = options.version
    this.files = options.files
  }

  override toJSON() {
    return { ...super.toJSON(), version: versionJson(this.version), files: this.files }
  }
}

/** A migration whose content cannot be used: bad annotation, no up section, a code module without `up`. */
export class InvalidMigrationError extends MigError {
  readonly file: string
  readonly line: number | undefined

  constructor(options: { file: string; line?: number; reason: string; cause?: unknown }) {
    const where = options.line === undefined ? options.file : `${options.file}:${options.line}`
    super('MIG_INVALID_MIGRATION', `${where}: ${options.reason}`, { cause: options.cause })
    this.file = options.file
    this.line = options.line
  }

  override toJSON() {
    return { ...super.toJSON(), file: this.file, line: this.line ?? null }
  }
}

/** A `to` target that names no known migration. */
export class UnknownVersionError extends MigError {
  readonly version: MigrationVersion

  constructor(options: { version: MigrationVersion; context: string }) {
    super('MIG_UNKNOWN_VERSION', `No migration has version ${options.version} ${options.context}. Run \`mig status\` to list versions.`)
    this.version = options.version
  }

  override toJSON() {
    return { ...super.toJSON(), version: versionJson(this.version) }
  }
}

export interface DatabaseErrorOptions {
  /** SQLSTATE or the client library's error code, when known. */
  readonly sqlState?: string
  readonly detail?: string
  readonly hint?: string
  /** 0-based character offset of the error in the script that was sent, when known. */
  readonly position?: number
  /**
   * The connection broke (or the server ended the session) instead of answering. After a
   * COMMIT was sent, this means nobody can tell whether it committed.
   */
  readonly connectionLost?: boolean
  readonly cause?: unknown
}

/** The database refused a statement or could not be reached. */
export class DatabaseError extends MigError {
  readonly sqlState: string | undefined
  readonly detail: string | undefined
  readonly hint: string | undefined
  readonly position: number | undefined
  readonly connectionLost: boolean

  constructor(message: string, options: DatabaseErrorOptions = {}) {
    super('MIG_DATABASE_ERROR', message, { cause: options.cause })
    this.sqlState = options.sqlState
    this.detail = options.detail
    this.hint = options.hint
    this.position = options.position
    this.connectionLost = options.connectionLost === true
  }

  override toJSON() {
    return { ...super.toJSON(), sqlState: this.sqlState ?? null, detail: this.detail ?? null, hint: this.hint ?? null }
  }
}

/** `held by pid 7 on db-1 application "mig" since …`, for messages and events. */
export function describeHolder(holder: LockHolder): string {
  const parts: string[] = []
  if (holder.pid !== undefined) parts.push(`pid ${holder.pid}`)
  if (holder.host) parts.push(`on ${holder.host}`)
  if (holder.applicationName) parts.push(`application "${holder.applicationName}"`)
  if (holder.clientAddress) parts.push(`from ${holder.clientAddress}`)
  if (holder.since) parts.push(`since ${holder.since.toISOString()}`)
  const held = parts.length ? `held by ${parts.join(' ')}` : 'holder unknown'
  return holder.expiresAt ? `${held}, a lease that ends at ${holder.expiresAt.toISOString()} unless its holder renews it` : held
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A cause's message, with the database's detail and hint when it has them. */
export function causeMessage(cause: unknown): string {
  if (cause instanceof DatabaseError) {
    // A part that ends a sentence already keeps its own full stop.
    const parts = [cause.message, cause.detail && `Detail: ${cause.detail}`, cause.hint && `Hint: ${cause.hint}`].filter(
      Boolean,
    ) as string[]
    return parts.map((part, index) => (index < parts.length - 1 && !/[.!?]$/.test(part) ? `${part}.` : part)).join(' ')
  }
  return messageOf(cause)
}

export function migrationJson(migration: MigrationInfo): MigrationJson {
  return { version: versionJson(migration.version), name: migration.name, file: migration.file }
}

/** Up to ten files by name; a longer list names its first and last few and counts the rest (the JSON form keeps them all). */
export function list(migrations: readonly MigrationInfo[]): string {
  const files = migrations.map((migration) => migration.file)
  if (files.length <= 10) return files.join(', ')
  return `${files.slice(0, 3).join(', ')}, … ${files.length - 5} more …, ${files.slice(-2).join(', ')} (${files.length} migrations)`
}

export function plural(items: readonly unknown[]): string {
  return items.length > 1 ? 's' : ''
}
