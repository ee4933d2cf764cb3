import {
  type BaselineBuild,
  type BaselineVerdict,
  buildRepeatables,
  isRepeatableObject,
  judgeBaseline,
  versionedBuild,
} from './baseline-repeatables.js'
import { BaselineRefusedError, UnknownVersionError } from './errors.js'
import { checkHistory, compareHistory, type History } from './history-check.js'
import { SchemaMismatchError } from './history-errors.js'
import { type Emit, listMigrations, listRepeatables, readHistory, withLock } from './locked-session.js'
import { type Migration, type MigrationInfo, migrationInfo, type RepeatableMigration } from './migration.js'
import { canRecordRepeatables } from './migration-plan.js'
import type { MigrationVersion } from './migration-version.js'
import { type BaselineOptions, type MigratorSettings, validateBaselineOptions } from './migrator-options.js'
import { recordDown } from './recorded-down.js'
import { compareRepeatables, type RepeatableComparison } from './repeatable-history.js'
import { describeLiveSchema, describeSchema, onScratchDatabase } from './schema-access.js'
import { checkBuilt, scratchMigrator } from './scratch-migrator.js'

interface VerifiedVersion {
  readonly migration: MigrationInfo
  readonly build: BaselineBuild
}

/**
 * Adopts a database whose schema was built before it had migrations: records every migration
 * up to `to` as baselined without running it, after proving on a scratch database that those
 * migrations build the live schema. On any difference nothing is written. A database with
 * history is adopted the same way from its newest applied migration on: the pending migrations
 * up to `to` are recorded, once the schema proves it already holds them (a drift adopted with a
 * migration that `mig drift --write` drafted). When no versioned migration stays pending, the
 * repeatable migrations are built after them, as `up` would, and those whose objects the
 * database holds are recorded too (see {@link judgeBaseline}).
 */
export async function baseline(settings: MigratorSettings, emit: Emit, given: BaselineOptions): Promise<MigrationInfo[]> {
  const options = validateBaselineOptions(given, settings.driver)
  const migrations = await listMigrations(settings)
  const repeatables = await listRepeatables(settings)
  if (options.to !== undefined && !migrations.some((migration) => migration.version === options.to)) {
    throw new UnknownVersionError({ version: options.to, context: 'to baseline to' })
  }
  const read = await readHistory(settings, migrations, { check: false, repeatables })
  const newestRecorded = refuseBaselineOver(read, settings, options.to)
  // Compared before the lock is taken, so that a refusal writes nothing at all; compared
  // again under the lock in case the schema changed in between.
  const verified = options.force
    ? undefined
    : await matchingVersion(settings, { migrations, repeatables, upToDate: upToDate(read.repeatables) }, options.to, newestRecorded)
  return withLock(settings, emit, options.signal, async ({ session, store }) => {
    const recordedRepeatables = compareRepeatables(repeatables, await store.listRepeatables())
    const history = compareHistory(migrations, await store.list())
    refuseBaselineOver(history, settings, options.to)
    let verdict: BaselineVerdict | undefined
    if (verified) {
      const live = await describeSchema(settings.driver, session, settings.table)
      verdict = judgeBaseline(verified.build, live, upToDate(recordedRepeatables))
      if (verdict.differences.length) throw mismatch(verified.migration, verdict)
    }
    const to = verified?.migration.version ?? (options.to as MigrationVersion)
    const baselined = history.pending.filter((migration) => migration.version <= to)
    const adopted = (verdict?.held ?? []).filter((repeatable) => !upToDate(recordedRepeatables).has(repeatable.name))
    const detail = options.force ? 'baselined with force: the schema was not compared' : undefined
    const appliedAt = new Date()
    await store.ensureTable()
    if (adopted.length) await store.ensureRepeatableTable()
    await session.begin()
    try {
      for (const migration of baselined) {
        // A file that no longer loads was baselined all the same before; it is just recorded without its down SQL.
        const downSql = await migration.load().then(recordDown, () => undefined)
        await store.insert({ ...migration, downSql, state: 'baselined', appliedAt, executionMs: 0, appliedBy: settings.appliedBy, detail })
      }
      for (const repeatable of adopted) {
        await store.recordRepeatable({ ...repeatable, appliedAt, executionMs: 0, appliedBy: settings.appliedBy })
      }
      await session.commit()
    } catch (error) {
      await session.rollback()
      throw error
    }
    for (const migration of [...baselined, ...adopted]) emit({ type: 'baselined', migration: migrationInfo(migration) })
    if (verdict?.due.length) {
      emit({
        type: 'warning',
        migration: undefined,
        message: `${verdict.due.map((repeatable) => repeatable.file).join(', ')}: the database lacks what ${verdict.due.length > 1 ? 'they make' : 'it makes'}, so the next up runs ${verdict.due.length > 1 ? 'them' : 'it'}.`,
      })
    }
    return [...baselined, ...adopted].map(migrationInfo)
  })
}

/** The names of the repeatable migrations history records as applied with their files as they are now: `up` will not run them. */
function upToDate(repeatables: readonly RepeatableComparison[]): Set<string> {
  return new Set(repeatables.filter((repeatable) => repeatable.state === 'up-to-date').map((repeatable) => repeatable.name))
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

interface BaselineFiles {
  readonly migrations: readonly Migration[]
  readonly repeatables: readonly RepeatableMigration[]
  /** Repeatable migrations history records as applied with their files as they are now. */
  readonly upToDate: ReadonlySet<string>
}

/**
 * The migration whose schema (built on a scratch database) equals the live one: `to` when it
 * matches, or, without `to`, the only one that matches. After the newest migration, the
 * repeatable ones are built too, as `up` runs them once none is pending. Throws
 * {@link SchemaMismatchError} when none matches, and asks for `to` when several do.
 */
async function matchingVersion(
  settings: MigratorSettings,
  files: BaselineFiles,
  to: MigrationVersion | undefined,
  newestRecorded: MigrationVersion | undefined,
): Promise<VerifiedVersion> {
  const { migrations, repeatables } = files
  const live = await describeLiveSchema(settings)
  return onScratchDatabase(settings.driver, 'verify a baseline', async (scratchDriver) => {
    const scratch = scratchMigrator(settings, scratchDriver, migrations)
    const candidates = migrations.filter((migration) => to === undefined || migration.version <= to)
    const builtRepeatables = canRecordRepeatables(settings.driver) ? repeatables : []
    const compared: VerifiedVersion[] = []
    for (const migration of candidates) {
      checkBuilt([migration], (await scratch.up({ step: 1 })).migrations.length)
      // Without `to`, the newest recorded version is a candidate too: a database that matches
      // it may just not have the later migrations that change no schema.
      const isCompared = to !== undefined ? migration.version === to : newestRecorded === undefined || migration.version >= newestRecorded
      if (!isCompared) continue
      const versioned = await scratch.describeSchema()
      const build =
        migration === migrations.at(-1)
          ? await buildRepeatables(settings, scratchDriver, migrations, builtRepeatables, versioned)
          : versionedBuild(versioned)
      compared.push({ migration: migrationInfo(migration), build })
    }
    const verdicts = compared.map(({ build }) => judgeBaseline(build, live, files.upToDate))
    const last = compared.at(-1)
    const lastVerdict = verdicts.at(-1)
    if (!last || !lastVerdict) throw new BaselineRefusedError('There are no migrations to baseline to.')
    // When the newest matches with the repeatable migrations' objects, an older version that
    // matches but for them matches alike: whether the database has the migrations in between,
    // a schema cannot tell.
    const newestMatches = lastVerdict.differences.length === 0 && last.build.repeatables.length > 0
    const matches = compared.filter((_, index) => {
      const { differences } = verdicts[index] as BaselineVerdict
      return differences.every((difference) => newestMatches && isRepeatableObject(last.build, difference))
    })
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
    const leftOut = repeatables.length && !last.build.repeatables.length ? whyNotBuilt(settings, repeatables, last.migration) : undefined
    throw mismatch(
      last.migration,
      lastVerdict,
      lastVerdict.differences.some((difference) => difference.change === 'extra') ? leftOut : undefined,
    )
  })
}

function mismatch(migration: MigrationInfo, verdict: BaselineVerdict, leftOut?: string): SchemaMismatchError {
  return new SchemaMismatchError({ migration, differences: verdict.differences, repeatables: verdict.differing, leftOut })
}

/** Why the repeatable migrations took no part in a baseline to `to`: said when the database has objects the versioned ones do not make. */
function whyNotBuilt(settings: MigratorSettings, repeatables: readonly RepeatableMigration[], to: MigrationInfo): string {
  const files = repeatables.map((repeatable) => repeatable.file).join(', ')
  return canRecordRepeatables(settings.driver)
    ? `The repeatable migrations (${files}) were not built: they run only once no versioned migration is pending, and migrations after ${to.file} are. ` +
        'If the extra objects are theirs, baseline to the newest version, or drop them (up makes them again).'
    : `The repeatable migrations (${files}) were not built: the ${settings.driver.dialect} driver cannot record them.`
}
