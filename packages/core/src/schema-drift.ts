import type { Driver, SchemaChanges } from './driver.js'
import { InvalidOptionsError, UnsupportedFeatureError } from './errors.js'
import type { MigrationInfo } from './migration.js'
import type { Migrator } from './migrator.js'
import { compareSchemas, type SchemaDifference } from './schema-diff.js'
import type { DifferenceWording } from './schema-difference-wording.js'
import type { SchemaSnapshot } from './schema-snapshot.js'

export interface DriftResult {
  /** The newest applied migration, whose schema the database is compared with; undefined when none is applied. */
  readonly migration: MigrationInfo | undefined
  /**
   * The repeatable migrations built after them (`repeatable/<name>.sql`): those the database has
   * run, even when no versioned migration is applied (after `down --all`, or with none at all).
   */
  readonly repeatables: readonly string[]
  /** Empty when the database holds exactly what the applied migrations build. */
  readonly differences: readonly SchemaDifference[]
  /**
   * With `draft`, when there are differences: a migration that makes the migrations build what
   * the database holds (`up`), and its reverse (`down`), from the driver's `renderChanges`.
   */
  readonly draft?: { readonly up: SchemaChanges; readonly down: SchemaChanges }
  /**
   * Set when migrations are applied but neither side holds anything in the schema drift
   * compares (the history table's): "no drift" then proves nothing, as when the migrations
   * build another schema than the one the history table is in.
   */
  readonly nothingCompared?: string
}

export interface DriftOptions {
  /** Also draft the migration that adopts the difference; needs a driver with `renderChanges`. */
  readonly draft?: boolean
}

/** How drift names the two sides: the database is the actual one, the migrations the expected. */
export const DRIFT_WORDING: DifferenceWording = {
  missing: 'missing in the database',
  extra: 'extra in the database',
  expected: 'migrations say',
}

const EMPTY_SCHEMA: SchemaSnapshot = { tables: [], views: [], triggers: [], sequences: [], enums: [], domains: [], functions: [] }

/**
 * Compares the live schema with the one the applied migrations build on a scratch database.
 * History must agree with the files first: an edited or missing applied file, or a pending one
 * older than the newest applied, would make "what the migrations build" a guess.
 */
export async function detectDrift(migrator: Migrator, driver: Driver, options: DriftOptions = {}): Promise<DriftResult> {
  const renderChanges = driver.schema?.renderChanges
  if (options.draft && !renderChanges) {
    throw new UnsupportedFeatureError(`The ${driver.dialect} driver cannot draft a migration from a schema difference (no renderChanges).`)
  }
  await migrator.validate()
  const { migrations: statuses, repeatables } = await migrator.overview()
  const outOfOrder = statuses.filter((status) => status.outOfOrder)
  if (outOfOrder.length) {
    throw new InvalidOptionsError(
      `${outOfOrder.map((status) => status.file).join(', ')} ${outOfOrder.length > 1 ? 'are' : 'is'} pending but older than applied migrations, ` +
        'so no run of the migrations builds what the database should hold. Apply them first (mig up --allow-out-of-order).',
    )
  }
  const pending = statuses.filter((status) => status.state === 'pending')
  if (options.draft && pending.length) {
    // The draft is numbered after the newest file but written against the applied ones: with
    // migrations in between it would repeat them, or undo them.
    throw new InvalidOptionsError(
      `${pending.map((status) => status.file).join(', ')} ${pending.length > 1 ? 'are' : 'is'} pending, so a drafted migration would come after ` +
        `${pending.length > 1 ? 'them' : 'it'} without taking ${pending.length > 1 ? 'them' : 'it'} into account. Apply pending migrations with mig up, or, ` +
        'if the database already holds them (a database built by hand), record them with mig baseline; then draft again.',
    )
  }
  const newest = statuses.filter((status) => status.state !== 'pending').at(-1)
  const live = await migrator.describeSchema()
  // The repeatable migrations the database ran stay after a down; built from their files as they are now.
  const ran = repeatables.filter((repeatable) => repeatable.state === 'up-to-date' || repeatable.state === 'changed')
  const expected =
    newest || ran.length
      ? await migrator.expectedSchema({ to: newest?.version ?? 0, repeatables: ran.map((repeatable) => repeatable.name) })
      : EMPTY_SCHEMA
  const differences = compareSchemas(expected, live)
  const draft =
    options.draft && renderChanges && differences.length
      ? { up: renderChanges(expected, live), down: renderChanges(live, expected) }
      : undefined
  const nothingCompared = (newest || ran.length) && isEmpty(expected) && isEmpty(live) ? NOTHING_COMPARED : undefined
  return {
    migration: newest && { version: newest.version, name: newest.name, file: newest.file },
    repeatables: ran.map((repeatable) => repeatable.file),
    differences,
    ...(draft ? { draft } : {}),
    ...(nothingCompared ? { nothingCompared } : {}),
  }
}

const NOTHING_COMPARED =
  "Neither the database nor what the applied migrations build holds anything in the schema drift compares (the history table's), " +
  'so there was nothing to compare. On PostgreSQL, when the migrations build another schema than the history table is in, keep ' +
  'the history table in theirs (schema in the config, --schema in the CLI).'

function isEmpty(snapshot: SchemaSnapshot): boolean {
  return Object.values(snapshot).every((objects) => !Array.isArray(objects) || objects.length === 0)
}
