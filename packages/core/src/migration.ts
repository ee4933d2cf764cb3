import type { MigrationVersion } from './migration-version.js'

/** How a migration is named in results, events and errors. */
export interface MigrationInfo {
  /** The leading digits of the file name, as an integer: see {@link MigrationVersion}. */
  readonly version: MigrationVersion
  /** The rest of the file name, without extension: `create_users`. */
  readonly name: string
  /**
   * The file name (`0001_create_users.sql`), or `<version>_<name>` for a migration given in code;
   * `repeatable/<name>.sql` for a repeatable migration.
   */
  readonly file: string
  /** True for a repeatable migration, which has no version: its `version` is 0. */
  readonly repeatable?: true
}

/** A migration as a source lists it: identity and checksum now, content on demand. */
export interface Migration extends MigrationInfo {
  /** `sha256:<hex>` of the normalised file (BOM removed, CRLF turned into LF). */
  readonly checksum: string
  /** Parses or imports the migration. Throws {@link InvalidMigrationError} when it cannot be used. */
  load(): Promise<MigrationScripts>
}

/** Something that lists migrations: a folder, a bundled list, or your own. */
export interface MigrationSource {
  /**
   * Every migration, in any order. Throws {@link InvalidFilenameError} or
   * {@link DuplicateVersionError} before anything runs.
   */
  list(): Promise<Migration[]>
  /**
   * The text of the folder's `mig.sum`, or undefined when there is none: every operation
   * verifies the migrations against it before anything runs (see docs/migration-format.md).
   * Optional; `fromDirectory` reads it, `fromList` has none.
   */
  sum?(): Promise<string | undefined>
  /**
   * Optional: the repeatable migrations, in any order. Each is applied after every versioned
   * migration whenever its checksum differs from the one history recorded for its name.
   * Throws {@link InvalidMigrationError} for a file that cannot be one.
   */
  listRepeatables?(): Promise<RepeatableMigration[]>
}

/**
 * A repeatable migration (`migrations/repeatable/views.sql`): all up, always in a transaction,
 * applied again whenever its file changes: views, functions and triggers that are redefined
 * whole. Named by `name`, which orders them; never reverted.
 */
export interface RepeatableMigration extends Migration {
  readonly version: 0
  readonly repeatable: true
}

export interface MigrationScripts {
  readonly up: MigrationStep
  /** Absent when the migration is irreversible. */
  readonly down: MigrationStep | undefined
  /** `false` when the file says `-- mig:no-transaction`. */
  readonly transaction: boolean
  /** The file's `-- mig:lock-timeout` (a duration like `30s`), for the driver; undefined for its default. */
  readonly lockTimeout?: string
  /**
   * `everywhere` when the file says `-- mig:placeholders everywhere`: placeholders are replaced
   * inside string literals, dollar-quoted bodies and comments too. Undefined: in SQL code only.
   */
  readonly placeholders?: 'everywhere'
}

export type MigrationStep = SqlStep | CodeStep

export interface SqlStep {
  readonly kind: 'sql'
  readonly sql: string
  /** 1-based line of the file on which `sql` starts, to turn error offsets into file lines. */
  readonly line: number
  /**
   * Set when `sql` is not the file's text (placeholders were filled): the section as written,
   * and where an offset into `sql` falls in it, so that errors name the file's line and column.
   */
  readonly written?: { readonly sql: string; readonly offsetOf: (offset: number) => number }
}

export interface CodeStep {
  readonly kind: 'code'
  readonly run: MigrationFunction
}

export type MigrationFunction = (context: MigrationContext) => unknown | Promise<unknown>

/** What a code migration gets: SQL on the migration's own connection and transaction. */
export interface MigrationContext {
  /** The driver's dialect: `sqlite`, `postgres`. */
  readonly dialect: string
  /**
   * Aborted when the run is told to stop now (a second Ctrl-C or SIGTERM, the run's
   * `cancelSignal`), with an `AbortedError` as its reason. Pass it to `fetch()`, or check it
   * between batches (`signal.throwIfAborted()`): the migration is then rolled back (outside a
   * transaction: recorded as failed) and the run reports it as cancelled. Once it is aborted,
   * `run` and `query` send nothing and throw that reason. Never aborted by the first signal,
   * which lets the migration finish.
   */
  readonly signal: AbortSignal
  /** Runs a script of one or more statements, without parameters. */
  run(sql: string): Promise<void>
  /** Runs one parameterised statement and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>
}

/** Only the identity of a migration, for results, events and errors. */
export function migrationInfo(migration: MigrationInfo): MigrationInfo {
  return { version: migration.version, name: migration.name, file: migration.file, ...(migration.repeatable && { repeatable: true }) }
}
