import { list, MigError, migrationJson, plural } from './errors.js'
import type { MigrationInfo } from './migration.js'
import { formatSchemaDifferences, type SchemaDifference } from './schema-diff.js'

/**
 * History and files disagree; raised before anything runs. The subclasses name the kind of
 * disagreement, and each lists every migration concerned.
 */
export abstract class HistoryValidationError extends MigError {
  abstract readonly migrations: readonly MigrationInfo[]

  override toJSON() {
    return { ...super.toJSON(), migrations: this.migrations.map(migrationJson) }
  }
}

export class ChecksumMismatchError extends HistoryValidationError {
  readonly migrations: readonly MigrationInfo[]

  constructor(options: { migrations: readonly MigrationInfo[] }) {
    const { migrations } = options
    super(
      'MIG_CHECKSUM_MISMATCH',
      `Applied migration${plural(migrations)} changed since ${migrations.length > 1 ? 'they were' : 'it was'} applied: ${list(migrations)}. ` +
        'Restore the original contents and put the change in a new migration. If the edit is known to be harmless (a comment), ' +
        `accept it with \`mig repair ${migrations[0]?.version} --accept-checksum\`.`,
    )
    this.migrations = migrations
  }
}

export class MissingMigrationError extends HistoryValidationError {
  readonly migrations: readonly MigrationInfo[]

  constructor(options: { migrations: readonly MigrationInfo[] }) {
    const { migrations } = options
    super(
      'MIG_MISSING_MIGRATION',
      `History says ${list(migrations)} ${migrations.length > 1 ? 'were' : 'was'} applied, but the file${plural(migrations)} ` +
        `${migrations.length > 1 ? 'are' : 'is'} gone. Restore ${migrations.length > 1 ? 'them' : 'it'} from version control, ` +
        `or, if removed on purpose, drop ${migrations.length > 1 ? 'each' : 'it'} from history with \`mig repair ${migrations[0]?.version} --forget\`.`,
    )
    this.migrations = migrations
  }
}

export class OutOfOrderMigrationError extends HistoryValidationError {
  readonly migrations: readonly MigrationInfo[]
  readonly newestApplied: MigrationInfo

  constructor(options: { migrations: readonly MigrationInfo[]; newestApplied: MigrationInfo }) {
    const { migrations, newestApplied } = options
    super(
      'MIG_OUT_OF_ORDER',
      `Pending migration${plural(migrations)} ${list(migrations)} ${migrations.length > 1 ? 'are' : 'is'} older than ` +
        `${newestApplied.file}, which is already applied. Renumber ${migrations.length > 1 ? 'them' : 'it'} after ` +
        `${newestApplied.version}, or pass allowOutOfOrder (--allow-out-of-order) to apply ${migrations.length > 1 ? 'them' : 'it'} anyway.`,
    )
    this.migrations = migrations
    this.newestApplied = newestApplied
  }
}

/** A migration that ran outside a transaction failed or was interrupted part-way. */
export class PartialMigrationError extends HistoryValidationError {
  readonly migrations: readonly MigrationInfo[]
  readonly errors: readonly string[]

  constructor(options: { migrations: readonly MigrationInfo[]; errors: readonly string[] }) {
    const { migrations, errors } = options
    super(
      'MIG_PARTIAL_MIGRATION',
      `Migration${plural(migrations)} ${list(migrations)} failed part-way outside a transaction` +
        `${errors.length ? ` (${errors.join('; ')})` : ''}. The database may hold part of ${migrations.length > 1 ? 'them' : 'it'}. ` +
        `Finish or undo the change by hand, then run \`mig repair ${migrations[0]?.version} --applied\` or \`mig repair ${migrations[0]?.version} --rolled-back\`.`,
    )
    this.migrations = migrations
    this.errors = errors
  }
}

/** A baseline was refused because the live schema is not what the migrations build. Nothing was written. */
export class SchemaMismatchError extends MigError {
  readonly migration: MigrationInfo
  readonly differences: readonly SchemaDifference[]

  constructor(options: { migration: MigrationInfo; differences: readonly SchemaDifference[] }) {
    const { migration, differences } = options
    super(
      'MIG_SCHEMA_MISMATCH',
      `The database does not match the schema that migrations up to ${migration.file} build, so nothing was recorded:\n` +
        `${formatSchemaDifferences(differences).replace(/^/gm, '  ')}\n` +
        'Make the database match, baseline to the version it does match (without a version, baseline finds it), or record it anyway with force.',
    )
    this.migration = migration
    this.differences = differences
  }

  override toJSON() {
    return { ...super.toJSON(), migration: migrationJson(this.migration), differences: this.differences }
  }
}
