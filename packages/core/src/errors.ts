import type { LockHolder } from './driver.js'
import type { MigrationInfo } from './migration.js'
import { formatSchemaDifferences, type SchemaDifference } from './schema-diff.js'

/**
 * Stable error codes. A code never changes meaning once released; the CLI maps them to exit
 * codes and applications may switch on them.
 */
export type MigErrorCode =
  | 'MIG_INVALID_OPTIONS'
  | 'MIG_INVALID_FILENAME'
  | 'MIG_DUPLICATE_VERSION'
  | 'MIG_INVALID_MIGRATION'
  | 'MIG_UNKNOWN_VERSION'
  | 'MIG_CHECKSUM_MISMATCH'
  | 'MIG_MISSING_MIGRATION'
  | 'MIG_OUT_OF_ORDER'
  | 'MIG_PARTIAL_MIGRATION'
  | 'MIG_MIGRATION_FAILED'
  | 'MIG_IRREVERSIBLE'
  | 'MIG_LOCK_TIMEOUT'
  | 'MIG_DATABASE_ERROR'
  | 'MIG_ABORTED'
  | 'MIG_SCHEMA_MISMATCH'
  /** mig lint found an error-level finding in a pending migration that no `-- mig:allow` allows (@mig/lint). */
  | 'MIG_LINT_FAILED'

/** Base class of every error mig throws on purpose. */
export class MigError extends Error {
  readonly code: MigErrorCode

  constructor(code: MigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** Options that cannot work together or a value out of range; nothing was touched. */
export class InvalidOptionsError extends MigError {
  constructor(message: string) {
    super('MIG_INVALID_OPTIONS', message)
  }
}

/** A file in the migrations folder whose name is not `<digits>_<name>.<ext>`. */
export class InvalidFilenameError extends MigError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      'MIG_INVALID_FILENAME',
      `${file}: ${reason}. Migration files are named <version>_<name>.sql (or .js, .mjs, .cjs, .ts, .mts, .cts), for example 0001_create_users.sql.`,
    )
  }
}

export class DuplicateVersionError extends MigError {
  constructor(
    readonly version: number,
    readonly files: readonly string[],
  ) {
    super(
      'MIG_DUPLICATE_VERSION',
      `Version ${version} is used by more than one migration: ${files.join(', ')}. Give each migration its own version.`,
    )
  }
}

/** A migration whose content cannot be used: bad annotation, no up section, a code module without `up`. */
export class InvalidMigrationError extends MigError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('MIG_INVALID_MIGRATION', `${line === undefined ? file : `${file}:${line}`}: ${reason}`, options)
  }
}

/** A `to` target that names no known migration. */
export class UnknownVersionError extends MigError {
  constructor(
    readonly version: number,
    context: string,
  ) {
    super('MIG_UNKNOWN_VERSION', `No migration has version ${version} ${context}. Run \`mig status\` to list versions.`)
  }
}

/**
 * History and files disagree; raised before anything runs. The subclasses name the kind of
 * disagreement, and each lists every migration concerned.
 */
export abstract class HistoryValidationError extends MigError {
  abstract readonly migrations: readonly MigrationInfo[]
}

export class ChecksumMismatchError extends HistoryValidationError {
  constructor(readonly migrations: readonly MigrationInfo[]) {
    super(
      'MIG_CHECKSUM_MISMATCH',
      `Applied migration${plural(migrations)} changed since ${migrations.length > 1 ? 'they were' : 'it was'} applied: ${list(migrations)}. ` +
        'Restore the original contents and put the change in a new migration. If the edit is known to be harmless (a comment), ' +
        `accept it with \`mig repair ${migrations[0]?.version} --accept-checksum\`.`,
    )
  }
}

export class MissingMigrationError extends HistoryValidationError {
  constructor(readonly migrations: readonly MigrationInfo[]) {
    super(
      'MIG_MISSING_MIGRATION',
      `History says ${list(migrations)} ${migrations.length > 1 ? 'were' : 'was'} applied, but the file${plural(migrations)} ` +
        `${migrations.length > 1 ? 'are' : 'is'} gone. Restore ${migrations.length > 1 ? 'them' : 'it'} from version control, ` +
        `or, if removed on purpose, drop ${migrations.length > 1 ? 'each' : 'it'} from history with \`mig repair ${migrations[0]?.version} --forget\`.`,
    )
  }
}

export class OutOfOrderMigrationError extends HistoryValidationError {
  constructor(
    readonly migrations: readonly MigrationInfo[],
    readonly newestApplied: MigrationInfo,
  ) {
    super(
      'MIG_OUT_OF_ORDER',
      `Pending migration${plural(migrations)} ${list(migrations)} ${migrations.length > 1 ? 'are' : 'is'} older than ` +
        `${describe(newestApplied)}, which is already applied. Renumber ${migrations.length > 1 ? 'them' : 'it'} after ` +
        `${newestApplied.version}, or pass allowOutOfOrder (--allow-out-of-order) to apply ${migrations.length > 1 ? 'them' : 'it'} anyway.`,
    )
  }
}

/** A migration that ran outside a transaction failed or was interrupted part-way. */
export class PartialMigrationError extends HistoryValidationError {
  constructor(
    readonly migrations: readonly MigrationInfo[],
    readonly errors: readonly string[],
  ) {
    super(
      'MIG_PARTIAL_MIGRATION',
      `Migration${plural(migrations)} ${list(migrations)} failed part-way outside a transaction` +
        `${errors.length ? ` (${errors.join('; ')})` : ''}. The database may hold part of ${migrations.length > 1 ? 'them' : 'it'}. ` +
        `Finish or undo the change by hand, then run \`mig repair ${migrations[0]?.version} --applied\` or \`mig repair ${migrations[0]?.version} --rolled-back\`.`,
    )
  }
}

/** Where in its file a failing statement stands. */
export interface FilePosition {
  readonly line: number
  readonly column?: number
}

/** A migration failed this run. Earlier migrations of the same run stay applied. */
export class MigrationFailedError extends MigError {
  constructor(
    readonly migration: MigrationInfo,
    readonly direction: 'up' | 'down',
    readonly position: FilePosition | undefined,
    /** Migrations this run applied (or reverted) before the failure; they stay in place. */
    readonly completed: readonly MigrationInfo[],
    readonly rolledBack: boolean,
    readonly statement: string | undefined,
    cause: unknown,
  ) {
    const where = position ? `${migration.file}:${position.line}${position.column ? `:${position.column}` : ''}` : migration.file
    const done = completed.length
      ? `This run ${direction === 'up' ? 'applied' : 'reverted'} ${list(completed)} before it; ${completed.length > 1 ? 'they stay' : 'it stays'} ${direction === 'up' ? 'applied' : 'reverted'}.`
      : `Nothing else was ${direction === 'up' ? 'applied' : 'reverted'} by this run.`
    const state = rolledBack
      ? 'Its changes were rolled back.'
      : 'It ran outside a transaction, so part of it may have taken effect; it is recorded as failed.'
    super(
      'MIG_MIGRATION_FAILED',
      `${direction === 'up' ? 'Migration' : 'Rollback of'} ${where} failed: ${messageOf(cause)}\n${state} ${done}`,
      {
        cause,
      },
    )
  }
}

export class IrreversibleMigrationError extends MigError {
  constructor(readonly migration: MigrationInfo) {
    super(
      'MIG_IRREVERSIBLE',
      `${migration.file} has no down section (or an empty one), so it cannot be rolled back. Nothing was reverted. Write the SQL that undoes it under "-- mig:down", or roll back to a version after ${migration.version}.`,
    )
  }
}

export class LockTimeoutError extends MigError {
  constructor(
    readonly timeoutMs: number,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      'MIG_LOCK_TIMEOUT',
      `Another migration run held the lock for ${Math.round(timeoutMs / 1000)}s${holder ? ` (${describeHolder(holder)})` : ''}. ` +
        'Wait for it to finish and try again, or raise the lock timeout.',
    )
  }
}

/** The database refused a statement or could not be reached. */
export class DatabaseError extends MigError {
  /** SQLSTATE or the client library's error code, when known. */
  readonly sqlState: string | undefined
  readonly detail: string | undefined
  readonly hint: string | undefined
  /** 0-based character offset of the error in the script that was sent, when known. */
  readonly position: number | undefined

  constructor(message: string, details: { sqlState?: string; detail?: string; hint?: string; position?: number; cause?: unknown } = {}) {
    super('MIG_DATABASE_ERROR', message, { cause: details.cause })
    this.sqlState = details.sqlState
    this.detail = details.detail
    this.hint = details.hint
    this.position = details.position
  }
}

/** A baseline was refused because the live schema is not what the migrations build. Nothing was written. */
export class SchemaMismatchError extends MigError {
  constructor(
    readonly migration: MigrationInfo,
    readonly differences: readonly SchemaDifference[],
  ) {
    super(
      'MIG_SCHEMA_MISMATCH',
      `The database does not match the schema that migrations up to ${migration.file} build, so nothing was recorded:\n` +
        `${formatSchemaDifferences(differences).replace(/^/gm, '  ')}\n` +
        'Make the database match, baseline to the version it does match (without a version, baseline finds it), or record it anyway with force.',
    )
  }
}

export class AbortedError extends MigError {
  constructor(completed: readonly MigrationInfo[], reason?: unknown) {
    super(
      'MIG_ABORTED',
      `The run was cancelled. ${completed.length ? `Completed before that: ${list(completed)}.` : 'Nothing was changed.'}`,
      { cause: reason },
    )
  }
}

export function describeHolder(holder: LockHolder): string {
  const parts: string[] = []
  if (holder.pid !== undefined) parts.push(`pid ${holder.pid}`)
  if (holder.host) parts.push(`on ${holder.host}`)
  if (holder.applicationName) parts.push(`application "${holder.applicationName}"`)
  if (holder.clientAddress) parts.push(`from ${holder.clientAddress}`)
  if (holder.since) parts.push(`since ${holder.since.toISOString()}`)
  return parts.length ? `held by ${parts.join(' ')}` : 'holder unknown'
}

function messageOf(cause: unknown): string {
  if (cause instanceof DatabaseError) {
    return [cause.message, cause.detail && `Detail: ${cause.detail}`, cause.hint && `Hint: ${cause.hint}`].filter(Boolean).join('. ')
  }
  return cause instanceof Error ? cause.message : String(cause)
}

function describe(migration: MigrationInfo): string {
  return migration.file
}

function list(migrations: readonly MigrationInfo[]): string {
  return migrations.map(describe).join(', ')
}

function plural(items: readonly unknown[]): string {
  return items.length > 1 ? 's' : ''
}
