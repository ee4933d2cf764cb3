import { list, MigError, migrationJson, plural } from './errors.js'
import type { MigrationInfo } from './migration.js'
import { isCodeMigrationFile } from './migration-filename.js'
import type { MigrationVersion } from './migration-version.js'
import type { SchemaDifference } from './schema-diff.js'
import { formatSchemaDifferences } from './schema-difference-wording.js'

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

  /** `redoable`: the one edited migration is the newest applied, with its down SQL recorded, so `redo` can apply the edit. */
  constructor(options: { migrations: readonly MigrationInfo[]; redoable?: boolean }) {
    const { migrations, redoable = false } = options
    super(
      'MIG_CHECKSUM_MISMATCH',
      `Applied migration${plural(migrations)} changed since ${migrations.length > 1 ? 'they were' : 'it was'} applied: ${list(migrations)}. ` +
        'Restore the original contents and put the change in a new migration. If the edit is known to be harmless (a comment), ' +
        `accept it with \`mig repair ${migrations[0]?.version} --accept-checksum\`.` +
        (redoable
          ? ' If it is the migration you are writing (it is the newest applied), `mig redo` reverts it with the down SQL recorded when it was applied and applies the file as it is now.'
          : ''),
    )
    this.migrations = migrations
  }
}

/** An applied migration whose file was renumbered since it was applied here, beside the file it moved to. */
export interface Renumbered {
  readonly record: MigrationInfo
  readonly moved: MigrationInfo
}

/**
 * What to do about migrations renumbered after they were applied here: on a database of your own
 * the renumbering was right, and they are reverted and applied again; on a shared one it moved
 * migrations the database already has, and the files get their applied names back.
 */
export function renumberedAdvice(moves: readonly Renumbered[]): string {
  const back = moves.map(({ record, moved }) => `${moved.file} to ${record.file}`).join(', ')
  return (
    `${list(moves.map(({ record }) => record))} ${moves.length > 1 ? 'were' : 'was'} renumbered since ` +
    `(to ${list(moves.map(({ moved }) => moved))}). On a database of your own, where ${moves.length > 1 ? 'these are' : 'this is'} your branch's work moved after the other branch's, ` +
    `revert ${pronoun(moves)} with \`mig down --missing --include-renumbered\`; \`mig up\` then applies ${pronoun(moves)} at the new ` +
    `version${plural(moves)}. On a shared database, the renumbering moved what it already has: give the file${plural(moves)} ` +
    `${moves.length > 1 ? 'their' : 'its'} applied name${plural(moves)} back (rename ${back}), then \`mig renumber --url <this database>\` ` +
    'moves the others instead.'
  )
}

/** An applied migration whose file is gone, and whether history recorded the down SQL that `down --missing` reverts it with. */
export interface MissingMigration extends MigrationInfo {
  readonly downRecorded: boolean
}

export class MissingMigrationError extends HistoryValidationError {
  readonly migrations: readonly MissingMigration[]

  /**
   * `oldestMissing`: even the oldest applied migration has no file, so the folder is more likely
   * wrong than the branch. `replacedWithoutDown`: applied migrations whose version a different
   * file holds now, without recorded down SQL; `down --missing` reverts those too, so it reverts
   * nothing while they are there. `newerThanFiles`: every missing one is newer than every file, as
   * when an older release starts beside a newer one that applied them.
   */
  constructor(options: {
    migrations: readonly MissingMigration[]
    oldestMissing?: boolean
    replacedWithoutDown?: readonly MissingMigration[]
    newerThanFiles?: boolean
    /** Those renumbered since they were applied here: the advice is then {@link renumberedAdvice}. */
    renumbered?: readonly Renumbered[]
  }) {
    const { migrations } = options
    const unrecorded = [...migrations.filter((migration) => !migration.downRecorded), ...(options.replacedWithoutDown ?? [])]
    const newer =
      options.newerThanFiles && !options.oldestMissing
        ? `${migrations.length > 1 ? 'They are' : 'It is'} newer than every migration here: if this is an older release starting ` +
          `beside a newer one that applied ${pronoun(migrations)} (a rolling deployment, a scaled-up old replica), run the newer ` +
          `release instead and revert nothing: the newer release depends on ${pronoun(migrations)}. `
        : ''
    super(
      'MIG_MISSING_MIGRATION',
      `History says ${list(migrations)} ${migrations.length > 1 ? 'were' : 'was'} applied, but the file${plural(migrations)} ` +
        `${migrations.length > 1 ? 'are' : 'is'} gone. ${newer}` +
        (options.renumbered?.length
          ? renumberedAdvice(options.renumbered)
          : options.oldestMissing
            ? adviceForWrongFolder(migrations)
            : unrecorded.length
              ? adviceWithoutRecordedDown(migrations, unrecorded)
              : `After switching to a branch without ${pronoun(migrations)}, ` +
                `revert ${pronoun(migrations)} with the down SQL recorded when applied: \`mig down --missing\`. ` +
                `Otherwise restore ${pronoun(migrations)} from version control, ` +
                `or, if removed on purpose, drop ${migrations.length > 1 ? 'each' : 'it'} from history with \`mig repair ${migrations[0]?.version} --forget\`.`),
    )
    this.migrations = migrations
  }
}

/** `down --missing` refuses to revert anything when even the oldest applied migration is gone: the folder comes first. */
function adviceForWrongFolder(migrations: readonly MissingMigration[]): string {
  const them = pronoun(migrations)
  return (
    'Even the oldest applied migration has no file: first check that this is the right migrations folder ' +
    '(--dir, or "dir" in the config file) and a complete checkout; `mig down --missing` reverts nothing then. ' +
    `If ${migrations.length > 1 ? 'they really are' : 'it really is'} gone on this branch, roll ${them} back on the branch that has ${them} ` +
    `(\`mig down --to <the version before ${migrations.length > 1 ? 'the oldest of them' : 'it'}>\`), or, if removed on purpose, ` +
    `drop ${migrations.length > 1 ? 'each' : 'it'} from history with \`mig repair ${migrations[0]?.version} --forget\`.`
  )
}

/** `down --missing` reverts nothing while one of them has no recorded down SQL: what works instead, and when it works again. */
function adviceWithoutRecordedDown(migrations: readonly MissingMigration[], unrecorded: readonly MissingMigration[]): string {
  const recorded = migrations.filter((migration) => migration.downRecorded)
  const code = unrecorded.filter((migration) => isCodeMigrationFile(migration.file))
  const sql = unrecorded.filter((migration) => !isCodeMigrationFile(migration.file))
  const kinds = [
    code.length && `${list(code)} (${code.length > 1 ? 'code migrations' : 'a code migration'})`,
    sql.length && `${list(sql)} (no down section recorded)`,
  ].filter(Boolean)
  const them = pronoun(unrecorded)
  return (
    (recorded.length
      ? `\`mig down --missing\` can revert ${list(recorded)} with the down SQL recorded when applied, but not ${kinds.join(' and ')}, ` +
        `for which history holds none, and it reverts nothing while ${unrecorded.length > 1 ? 'those are' : 'that one is'} missing. `
      : `History holds no down SQL for ${kinds.join(' and ')}, so \`mig down --missing\` cannot revert ${them}. `) +
    `After switching to a branch without ${them}, switch back, roll ${them} back there ` +
    `(\`mig down --to <the version before ${unrecorded.length > 1 ? 'the oldest of them' : 'it'}>\`) and switch again. ` +
    `Otherwise restore ${them} from version control, or, if removed on purpose or once undone by hand, drop ` +
    `${unrecorded.length > 1 ? 'each' : 'it'} from history (${unrecorded.map((migration) => `\`mig repair ${migration.version} --forget\``).join(', ')})` +
    `${recorded.length ? `; then \`mig down --missing\` reverts ${list(recorded)}` : ''}.`
  )
}

function pronoun(items: readonly unknown[]): string {
  return items.length > 1 ? 'them' : 'it'
}

/** Another file now holds an applied migration's version: a different migration, not an edit. */
export class ReplacedMigrationError extends HistoryValidationError {
  readonly migrations: readonly MigrationInfo[]
  /** Each applied migration beside the file that now holds its version. */
  readonly replacements: readonly { readonly applied: MigrationInfo; readonly file: MigrationInfo }[]

  constructor(options: {
    replacements: readonly { readonly applied: MigrationInfo; readonly file: MigrationInfo }[]
    newestApplied: MigrationVersion
    /** History recorded the down SQL of every applied one, so `down --missing` can revert them. Default true. */
    downRecorded?: boolean
    /** The oldest applied migration is one of them, which `down --missing` refuses to revert (the folder looks wrong). */
    oldestReplaced?: boolean
    /** Those renumbered since they were applied here: the advice is then {@link renumberedAdvice}. */
    renumbered?: readonly Renumbered[]
  }) {
    const { replacements, newestApplied } = options
    const first = replacements[0] as { applied: MigrationInfo; file: MigrationInfo }
    const pairs = replacements.map(({ applied, file }) => `${file.file} holds version ${file.version}, applied as ${applied.file}`)
    const revert =
      options.downRecorded === false
        ? 'on the branch that has its file (`mig down --to <the version before it>`; history holds no down SQL for it)'
        : options.oldestReplaced
          ? 'on the branch that has its file (`mig down --to <the version before it>`; `mig down --missing` never reverts the oldest applied migration)'
          : 'first, with the down SQL recorded when it was applied (`mig down --missing`)'
    const moves = options.renumbered ?? []
    const advice = moves.length
      ? renumberedAdvice(moves)
      : `Either revert the applied one ${revert}, or give ${first.file.file} a version after ${newestApplied} (\`mig renumber\`), ` +
        `and keep ${first.applied.file} in the folder.`
    super(
      'MIG_REPLACED_MIGRATION',
      `${pairs.join('; ')}. A file with another name is a different migration, not an edit of the applied one, ` +
        `so its SQL has never run here. ${advice}`,
    )
    this.replacements = replacements
    this.migrations = replacements.map(({ applied }) => applied)
  }

  override toJSON() {
    return {
      ...super.toJSON(),
      replacements: this.replacements.map(({ applied, file }) => ({ applied: migrationJson(applied), file: migrationJson(file) })),
    }
  }
}

/** History holds rows with values mig did not write (a hand edit, another tool). */
export class UnreadableHistoryError extends HistoryValidationError {
  readonly migrations: readonly MigrationInfo[]
  readonly reasons: readonly string[]

  constructor(options: { migrations: readonly MigrationInfo[]; reasons: readonly string[] }) {
    const { migrations, reasons } = options
    super(
      'MIG_UNREADABLE_HISTORY',
      `History row${plural(migrations)} for ${list(migrations)} cannot be read: ${reasons.join('; ')}. ` +
        'Nothing was run. Put the row right by hand (states are applied, baselined or failed; applied_at is a timestamp), ' +
        'or delete it if that migration was never applied.',
    )
    this.migrations = migrations
    this.reasons = reasons
  }

  override toJSON() {
    return { ...super.toJSON(), reasons: this.reasons }
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
        `${newestApplied.version} (\`mig renumber\`), or apply ${migrations.length > 1 ? 'them' : 'it'} anyway with \`mig up --allow-out-of-order\` (allowOutOfOrder when embedded).`,
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

/** A repeatable migration whose objects the database holds otherwise than its file makes them. */
export interface DifferingRepeatable {
  readonly file: string
  /** The objects (tables, views, …) whose differences it accounts for. */
  readonly objects: readonly string[]
}

/** A baseline was refused because the live schema is not what the migrations build. Nothing was written. */
export class SchemaMismatchError extends MigError {
  readonly migration: MigrationInfo
  readonly differences: readonly SchemaDifference[]
  /** The repeatable migrations built after `migration` whose objects differ; empty when none were, or none differ. */
  readonly repeatables: readonly DifferingRepeatable[]

  /** `leftOut`: why repeatable migrations were not built, when the database has objects the versioned ones do not make. */
  constructor(options: {
    migration: MigrationInfo
    differences: readonly SchemaDifference[]
    repeatables?: readonly DifferingRepeatable[]
    leftOut?: string
  }) {
    const { migration, differences, repeatables = [], leftOut } = options
    const made = repeatables.map((repeatable) => `${repeatable.file} (${repeatable.objects.join(', ')})`)
    super(
      'MIG_SCHEMA_MISMATCH',
      `The database does not match the schema that migrations up to ${migration.file} build, so nothing was recorded:\n` +
        `${formatSchemaDifferences(differences).replace(/^/gm, '  ')}\n` +
        (made.length
          ? `Made by repeatable migrations, as their files are now: ${made.join(', ')}. A repeatable migration is adopted only when the database holds what its file makes: ` +
            'run the file on the database, or drop what it made (the next up makes it as the file says), then baseline again.\n'
          : '') +
        (leftOut ? `${leftOut}\n` : '') +
        (differences.every((difference) => difference.change === 'missing')
          ? 'The database lacks what they build rather than holding something else: if it is new, apply them with `mig up` instead of a baseline. ' +
            'Otherwise baseline to the version it does match (without a version, baseline finds it).'
          : 'Make the database match, baseline to the version it does match (without a version, baseline finds it), or record it anyway with force.'),
    )
    this.migration = migration
    this.differences = differences
    this.repeatables = repeatables
  }

  override toJSON() {
    return { ...super.toJSON(), migration: migrationJson(this.migration), differences: this.differences, repeatables: this.repeatables }
  }
}
