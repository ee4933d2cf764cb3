import type { Driver } from './driver.js'
import type { DifferingRepeatable } from './history-errors.js'
import type { Migration, RepeatableMigration } from './migration.js'
import type { MigratorSettings } from './migrator-options.js'
import { compareSchemas, type SchemaDifference } from './schema-diff.js'
import type { SchemaSnapshot } from './schema-snapshot.js'
import { scratchMigrator } from './scratch-migrator.js'

/** What a baseline's migrations build on a scratch database, with the objects each repeatable migration made. */
export interface BaselineBuild {
  /** The schema after the versioned migrations, then the repeatable ones (when any took part). */
  readonly expected: SchemaSnapshot
  /** The repeatable migrations built after the versioned ones, in the order they ran. */
  readonly repeatables: readonly RepeatableMigration[]
  /** By {@link objectKey}: the repeatable migration that made, changed or dropped the object last. */
  readonly owners: ReadonlyMap<string, RepeatableMigration>
}

/** How the live schema compares with a {@link BaselineBuild}. */
export interface BaselineVerdict {
  /** What refuses the baseline: differences that no repeatable migration accounts for, and those of `differing`. */
  readonly differences: readonly SchemaDifference[]
  /** Repeatable migrations whose objects the database holds as their files make them: recorded as applied. */
  readonly held: readonly RepeatableMigration[]
  /** Repeatable migrations left for the next `up`: the database lacks all they make, or they make nothing a snapshot shows. */
  readonly due: readonly RepeatableMigration[]
  readonly differing: readonly DifferingRepeatable[]
}

/** The versioned migrations' schema alone, for a baseline that leaves versioned migrations pending. */
export function versionedBuild(expected: SchemaSnapshot): BaselineBuild {
  return { expected, repeatables: [], owners: new Map() }
}

/**
 * Runs the repeatable migrations one at a time on the scratch database, which holds every
 * versioned migration already (`versioned` is its schema), as `up` would after them, and notes
 * which objects each one made.
 */
export async function buildRepeatables(
  settings: MigratorSettings,
  driver: Driver,
  migrations: readonly Migration[],
  repeatables: readonly RepeatableMigration[],
  versioned: SchemaSnapshot,
): Promise<BaselineBuild> {
  const owners = new Map<string, RepeatableMigration>()
  let previous = versioned
  for (const [index, repeatable] of repeatables.entries()) {
    // The earlier ones are recorded on the scratch database, so this up runs only this one.
    const scratch = scratchMigrator(settings, driver, migrations, repeatables.slice(0, index + 1))
    await scratch.up()
    const built = await scratch.describeSchema()
    for (const difference of compareSchemas(built, previous)) owners.set(objectKey(difference), repeatable)
    previous = built
  }
  return { expected: previous, repeatables, owners }
}

/**
 * Compares the live schema with the build. A repeatable migration is recorded only when the
 * database provably holds what it makes. One whose objects are all absent (or that makes none
 * a snapshot shows: grants, data) is left for `up`, which runs it as on a new database, unless
 * history says it already ran as it is (`upToDate`): `up` would not run it again.
 */
export function judgeBaseline(build: BaselineBuild, live: SchemaSnapshot, upToDate: ReadonlySet<string>): BaselineVerdict {
  const differences = compareSchemas(build.expected, live)
  const held: RepeatableMigration[] = []
  const due: RepeatableMigration[] = []
  const differing: DifferingRepeatable[] = []
  for (const repeatable of build.repeatables) {
    const made = [...build.owners].filter(([, owner]) => owner === repeatable).map(([key]) => key)
    const owned = differences.filter((difference) => build.owners.get(objectKey(difference)) === repeatable)
    const absent = owned.every((difference) => difference.change === 'missing') && new Set(owned.map(objectKey)).size === made.length
    if (absent && !upToDate.has(repeatable.name)) due.push(repeatable)
    else if (owned.length === 0) held.push(repeatable)
    else differing.push({ file: repeatable.file, objects: [...new Set(owned.map((difference) => difference.object))] })
  }
  const left = new Set<RepeatableMigration>(due)
  return {
    differences: differences.filter((difference) => {
      const owner = build.owners.get(objectKey(difference))
      return !owner || !left.has(owner)
    }),
    held,
    due,
    differing,
  }
}

/** Whether a difference is about an object of the build's repeatable migrations that the database has and the versioned ones do not make. */
export function isRepeatableObject(build: BaselineBuild, difference: SchemaDifference): boolean {
  return difference.change === 'extra' && build.owners.has(objectKey(difference))
}

/** One object of a schema, as both sides of a comparison name it. */
function objectKey(difference: SchemaDifference): string {
  return `${difference.kind}\u0000${difference.object}\u0000${difference.name}`
}
