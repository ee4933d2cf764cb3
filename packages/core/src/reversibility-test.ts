import { UnknownVersionError } from './errors.js'
import type { MigrationInfo } from './migration.js'
import { type MigrationVersion, toVersion } from './migration-version.js'
import type { Migrator } from './migrator.js'
import { IrreversibleMigrationError } from './run-errors.js'
import { compareSchemas, type SchemaDifference } from './schema-diff.js'
import type { DifferenceWording } from './schema-difference-wording.js'
import type { SchemaSnapshot } from './schema-snapshot.js'

export interface ReversibilityTestOptions {
  /** Test migrations from this version on; the older ones are applied first, untested. */
  readonly from?: MigrationVersion
  /** Versions of migrations without a down section that are irreversible on purpose. */
  readonly acceptIrreversible?: readonly MigrationVersion[]
}

export interface ReversibilityReport {
  /** True when every tested migration is reversible or an accepted irreversible one. */
  readonly passed: boolean
  /** One entry per tested migration, in order; testing stops at the first that fails. */
  readonly migrations: readonly MigrationReversibility[]
  /** Migrations after a failure, which were not tested. */
  readonly untested: readonly MigrationInfo[]
}

export interface MigrationReversibility {
  readonly migration: MigrationInfo
  /**
   * `reversible`: down restored the schema before up, and up applied again built the same schema.
   * `not-restored`: the schema after down differs from the one before up.
   * `not-repeatable`: up after down built another schema than the first up.
   * `failed`: a step threw; `error` says which and why.
   * `irreversible`: no down section; `accepted` when listed in `acceptIrreversible`.
   */
  readonly outcome: 'reversible' | 'not-restored' | 'not-repeatable' | 'failed' | 'irreversible'
  readonly accepted?: boolean
  /** Against the schema before up (`not-restored`) or after the first up (`not-repeatable`). */
  readonly differences: readonly SchemaDifference[]
  readonly error?: string
}

/** How a reversibility failure names the sides: the schema after down against the one before up. */
export const REVERSIBILITY_WORDING: DifferenceWording = {
  missing: 'missing after down (down does not restore it)',
  extra: 'left over after down',
  expected: 'before up it was',
}

/**
 * On a scratch database holding every migration as pending: for each migration in order, up,
 * snapshot, down, snapshot, up again, snapshot. The scratch database is the caller's to remove.
 */
export async function testReversibility(
  scratch: Migrator,
  snapshot: () => Promise<SchemaSnapshot>,
  options: ReversibilityTestOptions = {},
): Promise<ReversibilityReport> {
  // One form per version, so 5n and 5 are the same migration; what is not a version matches none.
  const exact = (version: MigrationVersion) => toVersion(version) ?? version
  const accepted = new Set<MigrationVersion>((options.acceptIrreversible ?? []).map(exact))
  const migrations = (await scratch.status()).map(({ version, name, file }): MigrationInfo => ({ version, name, file }))
  // A typo in CI would otherwise test nothing, or accept nothing, and pass.
  const known = (version: MigrationVersion) => migrations.some((migration) => migration.version === version)
  const from = options.from === undefined ? undefined : exact(options.from)
  if (from !== undefined && !known(from)) throw new UnknownVersionError({ version: from, context: 'to test from' })
  for (const version of accepted) if (!known(version)) throw new UnknownVersionError({ version, context: 'to accept as irreversible' })
  const start = from === undefined ? 0 : migrations.findIndex((migration) => migration.version >= from)
  // The older migrations, applied untested. One with no SQL yet stops that up, and testing starts
  // at it, so the report names it.
  const older = start > 0 ? (await scratch.up({ to: migrations[start - 1]?.version })).migrations.length : 0
  const tested = migrations.slice(older)
  const results: MigrationReversibility[] = []
  let before = await snapshot()
  for (const migration of tested) {
    const result = await testOne(scratch, snapshot, migration, before, accepted)
    results.push(result.outcome)
    if (!result.after) break
    before = result.after
  }
  const failed = results.some((result) => result.outcome !== 'reversible' && !(result.outcome === 'irreversible' && result.accepted))
  return { passed: !failed, migrations: results, untested: tested.slice(results.length) }
}

async function testOne(
  scratch: Migrator,
  snapshot: () => Promise<SchemaSnapshot>,
  migration: MigrationInfo,
  before: SchemaSnapshot,
  accepted: ReadonlySet<MigrationVersion>,
): Promise<{ outcome: MigrationReversibility; after: SchemaSnapshot | undefined }> {
  const outcome = (result: Omit<MigrationReversibility, 'migration' | 'differences'> & { differences?: readonly SchemaDifference[] }) => ({
    migration,
    differences: [],
    ...result,
  })
  const step = async (name: string, run: () => Promise<unknown>): Promise<string | undefined> => {
    try {
      await run()
      return undefined
    } catch (error) {
      if (error instanceof IrreversibleMigrationError) throw error
      return `${name} failed: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  let applied = 0
  const upFailed = await step('up', async () => {
    applied = (await scratch.up({ step: 1 })).migrations.length
  })
  if (upFailed) return { outcome: outcome({ outcome: 'failed', error: upFailed }), after: undefined }
  // Down would revert the migration before it, and the report would blame this one.
  if (!applied) {
    const error = 'up applied nothing: its up section holds no SQL yet, so mig up leaves it pending. Write the migration.'
    return { outcome: outcome({ outcome: 'failed', error }), after: undefined }
  }
  const afterUp = await snapshot()
  let downFailed: string | undefined
  try {
    downFailed = await step('down', () => scratch.down({ step: 1 }))
  } catch {
    return { outcome: outcome({ outcome: 'irreversible', accepted: accepted.has(migration.version) }), after: afterUp }
  }
  if (downFailed) return { outcome: outcome({ outcome: 'failed', error: downFailed }), after: undefined }
  const notRestored = compareSchemas(before, await snapshot())
  if (notRestored.length) return { outcome: outcome({ outcome: 'not-restored', differences: notRestored }), after: undefined }
  const againFailed = await step('up after down', () => scratch.up({ step: 1 }))
  if (againFailed) return { outcome: outcome({ outcome: 'failed', error: againFailed }), after: undefined }
  const again = await snapshot()
  const notRepeatable = compareSchemas(afterUp, again)
  if (notRepeatable.length) return { outcome: outcome({ outcome: 'not-repeatable', differences: notRepeatable }), after: undefined }
  return { outcome: outcome({ outcome: 'reversible' }), after: again }
}
