import { BaselineRefusedError, UnknownVersionError } from './errors.js'
import { checkHistory, compareHistory, type History } from './history-check.js'
import { SchemaMismatchError } from './history-errors.js'
import { type Emit, listMigrations, readHistory, withLock } from './locked-session.js'
import { type Migration, type MigrationInfo, migrationInfo } from './migration.js'
import type { MigrationVersion } from './migration-version.js'
import { type BaselineOptions, type MigratorSettings, validateBaselineOptions } from './migrator-options.js'
import { recordDown } from './recorded-down.js'
import { describeLiveSchema, describeSchema, onScratchDatabase } from './schema-access.js'
import { compareSchemas, type SchemaDifference } from './schema-diff.js'
import type { SchemaSnapshot } from './schema-snapshot.js'
import { checkBuilt, scratchMigrator } from './scratch-migrator.js'

interface VerifiedVersion {
  readonly migration: MigrationInfo
  readonly expected: SchemaSnapshot
}

/**
 * Adopts a database whose schema was built before it had migrations: records every migration
 * up to `to` as baselined without running it, after proving on a scratch database that those
 * migrations build the live schema. On any difference nothing is written. A database with
 * history is adopted the same way from its newest applied migration on: the pending migrations
 * up to `to` are recorded, once the schema proves it already holds them (a drift adopted with a
 * migration that `mig drift --write` drafted).
 */
export async function baseline(settings: MigratorSettings, emit: Emit, given: BaselineOptions): Promise<MigrationInfo[]> {
  const options = validateBaselineOptions(given, settings.driver)
  const migrations = await listMigrations(settings)
  if (options.to !== undefined && !migrations.some((migration) => migration.version === options.to)) {
    throw new UnknownVersionError({ version: options.to, context: 'to baseline to' })
  }
  const newestRecorded = refuseBaselineOver(await readHistory(settings, migrations, { check: false }), settings, options.to)
  // Compared before the lock is taken, so that a refusal writes nothing at all; compared
  // again under the lock in case the schema changed in between.
  const verified = options.force ? undefined : await matchingVersion(settings, migrations, options.to, newestRecorded)
  return withLock(settings, emit, options.signal, async ({ session, store }) => {
    const history = compareHistory(migrations, await store.list())
    refuseBaselineOver(history, settings, options.to)
    if (verified) {
      const differences = compareSchemas(verified.expected, await describeSchema(settings.driver, session, settings.table))
      if (differences.length) throw new SchemaMismatchError({ migration: verified.migration, differences })
    }
    const to = verified?.migration.version ?? (options.to as MigrationVersion)
    const baselined = history.pending.filter((migration) => migration.version <= to)
    const detail = options.force ? 'baselined with force: the schema was not compared' : undefined
    const appliedAt = new Date()
    await store.ensureTable()
    await session.begin()
    try {
      for (const migration of baselined) {
        // A file that no longer loads was baselined all the same before; it is just recorded without its down SQL.
        const downSql = await migration.load().then(recordDown, () => undefined)
        await store.insert({ ...migration, downSql, state: 'baselined', appliedAt, executionMs: 0, appliedBy: settings.appliedBy, detail })
      }
      await session.commit()
    } catch (error) {
      await session.rollback()
      throw error
    }
    for (const migration of baselined) emit({ type: 'baselined', migration: migrationInfo(migration) })
    return baselined.map(migrationInfo)
  })
}

/**
 * Baseline records migrations as applied, so history must be sound first (nothing failed,
 * edited, missing or out of order) and must leave a pending migration up to `to` to record.
 * Returns the newest recorded version: only later ones can be baselined.
 */
function refuseBaselineOver(history: History, settings: MigratorSettings, to: MigrationVersion | undefined): MigrationVersion | undefined {
  checkHistory(history, { allowOutOfOrder: false })
  if (history.running.size) {
    throw new BaselineRefusedError('A migration is running on this database. Let it finish, then baseline.')
  }
  const newest = history.records.at(-1)?.version
  if (newest !== undefined && !history.pending.some((migration) => to === undefined || migration.version <= to)) {
    throw new BaselineRefusedError(
      `Every migration up to ${to ?? 'the newest'} is already recorded in ${settings.table.name}: there is nothing to baseline. Use up to apply the rest.`,
    )
  }
  return newest
}

/**
 * The migration whose schema (built on a scratch database) equals the live one: `to` when it
 * matches, or, without `to`, the only one that matches. Throws {@link SchemaMismatchError}
 * when none does, and asks for `to` when several do.
 */
async function matchingVersion(
  settings: MigratorSettings,
  migrations: readonly Migration[],
  to: MigrationVersion | undefined,
  newestRecorded: MigrationVersion | undefined,
): Promise<VerifiedVersion> {
  const live = await describeLiveSchema(settings)
  return onScratchDatabase(settings.driver, 'verify a baseline', async (scratchDriver) => {
    const scratch = scratchMigrator(settings, scratchDriver, migrations)
    const candidates = migrations.filter((migration) => to === undefined || migration.version <= to)
    const matches: VerifiedVersion[] = []
    let differences: SchemaDifference[] = []
    for (const migration of candidates) {
      checkBuilt([migration], (await scratch.up({ step: 1 })).migrations.length)
      // Without `to`, the newest recorded version is a candidate too: a database that matches
      // it may just not have the later migrations that change no schema.
      const compared = to !== undefined ? migration.version === to : newestRecorded === undefined || migration.version >= newestRecorded
      if (!compared) continue
      const expected = await scratch.describeSchema()
      differences = compareSchemas(expected, live)
      if (!differences.length) matches.push({ migration: migrationInfo(migration), expected })
    }
    const [onlyMatch] = matches
    if (onlyMatch && matches.length === 1 && onlyMatch.migration.version === newestRecorded) {
      throw new BaselineRefusedError(
        `The database's schema matches ${onlyMatch.migration.file}, which is already recorded: there is nothing to baseline. Use up to apply the rest.`,
      )
    }
    if (matches.length > 1) {
      // Migrations that change no schema (settings, data) match as well as the one before
      // them; whether the database has them is not something a schema can tell.
      throw new BaselineRefusedError(
        `The database's schema matches ${matches.map((match) => match.migration.file).join(', ')} alike: the later ones change no schema. ` +
          'Say which one the database has with to (--to).',
      )
    }
    const [match] = matches
    if (match) return match
    const newest = candidates.at(-1)
    if (!newest) throw new BaselineRefusedError('There are no migrations to baseline to.')
    throw new SchemaMismatchError({ migration: migrationInfo(newest), differences })
  })
}
