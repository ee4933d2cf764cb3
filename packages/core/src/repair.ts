import { InvalidOptionsError, RepairRefusedError } from './errors.js'
import type { RepairResolution } from './events.js'
import { compareHistory, infoOf, replacedBy } from './history-check.js'
import type { HistoryState } from './history-store.js'
import { type Emit, listMigrations, listRepeatables, withLock } from './locked-session.js'
import type { Migration, MigrationInfo } from './migration.js'
import { type MigrationVersion, toVersion } from './migration-version.js'
import { type MigratorSettings, type RunOptions, validateRunOptions } from './migrator-options.js'

/**
 * A versioned migration's row, by version, with any resolution; or a removed repeatable
 * migration's record, by name (`views` for `repeatable/views.sql`), with `forget`.
 */
export type RepairOptions = RunOptions &
  (
    | { readonly version: MigrationVersion; readonly resolution: RepairResolution; readonly repeatable?: undefined }
    | { readonly repeatable: string; readonly resolution: 'forget'; readonly version?: undefined }
  )

const RESOLUTIONS: readonly RepairResolution[] = ['applied', 'rolled-back', 'accept-checksum', 'forget']

/**
 * Puts one history row right, explicitly: see {@link RepairResolution}. Each resolution applies
 * only to the problem it resolves and refuses any other row.
 */
export async function repair(settings: MigratorSettings, emit: Emit, options: RepairOptions): Promise<MigrationInfo> {
  validateRunOptions(options)
  if (!RESOLUTIONS.includes(options?.resolution)) {
    throw new InvalidOptionsError(`repair needs a resolution: ${RESOLUTIONS.map((resolution) => `"${resolution}"`).join(', ')}.`)
  }
  if (options.repeatable !== undefined) return forgetRepeatable(settings, emit, options)
  const version = toVersion(options.version)
  if (version === undefined) throw new InvalidOptionsError(`repair needs a migration version, not ${String(options.version)}.`)
  const migrations = await listMigrations(settings)
  return withLock(settings, emit, options.signal, async ({ store }) => {
    const history = compareHistory(migrations, await store.list())
    const record = history.recordByVersion.get(version)
    if (!record) throw new RepairRefusedError(`History has no migration ${version}; there is nothing to repair.`)
    const migration = infoOf(history, record)
    // A file of another name in the version is a different migration: for this row, its file is gone.
    const replacement = replacedBy(history, record)
    const file = replacement ? undefined : history.byVersion.get(record.version)
    const refuse = (problem: string): never => {
      throw new RepairRefusedError(`${migration.file} ${problem}, so "${options.resolution}" does not apply to it.`)
    }
    switch (options.resolution) {
      case 'applied':
      case 'rolled-back':
        if (record.state !== 'failed') refuse('did not fail part-way')
        if (options.resolution === 'rolled-back') await store.delete(record.version)
        else
          await store.update(record.version, {
            ...record,
            state: 'applied',
            checksum: file?.checksum ?? record.checksum,
            appliedAt: new Date(),
          })
        break
      case 'accept-checksum':
        if (replacement) refuse(`was replaced by ${replacement.file}, a different migration whose SQL never ran here`)
        if (!file || record.state === 'failed' || record.state === 'unreadable' || file.checksum === record.checksum) {
          refuse('is not an applied file that changed')
        }
        await store.update(record.version, {
          ...record,
          state: record.state as HistoryState,
          appliedAt: record.appliedAt ?? new Date(),
          checksum: (file as Migration).checksum,
        })
        break
      case 'forget':
        if (file) refuse('still has its file')
        await store.delete(record.version)
        break
    }
    emit({ type: 'repaired', migration, resolution: options.resolution })
    return migration
  })
}

/** Forgets the record of a repeatable migration whose file is gone, so that nothing warns about it again. */
async function forgetRepeatable(settings: MigratorSettings, emit: Emit, options: RepairOptions): Promise<MigrationInfo> {
  const name = options.repeatable
  if (typeof name !== 'string' || name === '' || options.version !== undefined || options.resolution !== 'forget') {
    throw new InvalidOptionsError(
      'repair of a repeatable migration takes its name and the resolution "forget" only, e.g. { repeatable: "views", resolution: "forget" }.',
    )
  }
  const files = await listRepeatables(settings)
  return withLock(settings, emit, options.signal, async ({ store }) => {
    const record = (await store.listRepeatables()).find((repeatable) => repeatable.name === name)
    if (!record) throw new RepairRefusedError(`History has no repeatable migration named "${name}"; there is nothing to forget.`)
    const migration: MigrationInfo = { version: 0, name, file: record.file, repeatable: true }
    if (files.some((file) => file.name === name)) {
      throw new RepairRefusedError(`${record.file} still has its file, so "forget" does not apply to it. Delete the file first.`)
    }
    await store.forgetRepeatable(name)
    emit({ type: 'repaired', migration, resolution: 'forget' })
    return migration
  })
}
