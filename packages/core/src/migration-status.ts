import { describeHolder } from './errors.js'
import { type History, infoOf, outOfOrderMigrations, renumberedRecords, replacedBy } from './history-check.js'
import { listMigrations, listRepeatables, readHistory } from './locked-session.js'
import type { Migration } from './migration.js'
import { compareVersions } from './migration-version.js'
import type { MigratorSettings, ReadOptions } from './migrator-options.js'
import type { MigrationProblem, MigrationStatus, StatusOverview } from './migrator-results.js'
import { findReruns, type RepeatableReruns } from './repeatable-reruns.js'
import { repeatableStatuses } from './repeatable-status.js'

/**
 * What `status` shows, from one read of the files and of history; without the repeatable
 * migrations when not `withRepeatables`, so that a problem of theirs never hides the rest.
 */
export async function readStatus(settings: MigratorSettings, options: ReadOptions, withRepeatables = true): Promise<StatusOverview> {
  const repeatables = withRepeatables ? await listRepeatables(settings) : undefined
  const history = await readHistory(settings, await listMigrations(settings), { ...options, check: false, repeatables })
  return {
    migrations: migrationStatuses(history, settings),
    repeatables: repeatableStatuses(history, await rerunsAfterPending(history, settings)),
  }
}

/**
 * The repeatable migrations the next `up` runs again. Only SQL files are read (status imports
 * no code), and one that does not parse is left to `validate`.
 */
async function rerunsAfterPending(history: History, settings: MigratorSettings): Promise<RepeatableReruns> {
  if (!history.repeatables.some((repeatable) => repeatable.state === 'up-to-date')) return new Map()
  const sql = history.pending.filter((migration) => migration.file.endsWith('.sql'))
  const scripts = await Promise.all(sql.map((migration) => migration.load().catch(() => undefined)))
  const readable = sql.flatMap((migration, index) => (scripts[index] ? [{ migration, scripts: scripts[index] }] : []))
  return findReruns(
    readable.map(({ migration }) => migration),
    readable.map(({ scripts }) => scripts),
    history.repeatables,
    settings.driver.text,
  )
}

/** Every migration known to the files or to history, by version, each with what `validate` would refuse about it. */
function migrationStatuses(history: History, settings: MigratorSettings): MigrationStatus[] {
  const outOfOrder = new Set(outOfOrderMigrations(history).map((migration) => migration.version))
  const versions = [...new Set([...history.byVersion.keys(), ...history.recordByVersion.keys()])].sort(compareVersions)
  return versions.map((version) => {
    const migration = history.byVersion.get(version)
    const record = history.recordByVersion.get(version)
    const info = record ? infoOf(history, record) : (migration as Migration)
    const replacement = record && replacedBy(history, record)
    const checksumMatches = record && migration && !replacement ? record.checksum === migration.checksum : undefined
    const holder = history.running.get(version)
    const state = holder ? 'running' : (record?.state ?? 'pending')
    const fileFound = migration !== undefined && !replacement
    const replacedByFile = replacement ? replacement.file : undefined
    const renumberedTo = record && !fileFound ? renumberedRecords(history, [record])[0]?.moved.file : undefined
    const isOutOfOrder = outOfOrder.has(version)
    const problem = problemOf(
      { state, fileFound, replacedBy: replacedByFile, checksumMatches, outOfOrder: isOutOfOrder },
      settings.allowOutOfOrder,
    )
    // One literal, not a spread: V8 gives each object a spread builds a hidden class of its own.
    return {
      version,
      name: info.name,
      file: info.file,
      state,
      fileFound,
      replacedBy: replacedByFile,
      renumberedTo,
      checksumMatches,
      outOfOrder: isOutOfOrder,
      downRecorded: record?.downSql !== undefined,
      appliedAt: record?.appliedAt,
      executionMs: record?.executionMs,
      appliedBy: record?.appliedBy,
      detail:
        holder && record
          ? `running since ${record.appliedAt?.toISOString() ?? 'an unknown time'}, ${describeHolder(holder)}`
          : (record?.unreadable ?? record?.detail),
      problem,
    }
  })
}

/** The same rules, in the same order, as `checkHistory`, for one migration. */
function problemOf(
  status: Pick<MigrationStatus, 'state' | 'fileFound' | 'replacedBy' | 'checksumMatches' | 'outOfOrder'>,
  allowOutOfOrder: boolean,
): MigrationProblem | undefined {
  if (status.state === 'unreadable') return 'unreadable'
  if (status.state === 'failed') return 'failed'
  if (status.replacedBy !== undefined) return 'replaced'
  if (!status.fileFound) return 'missing'
  if (status.checksumMatches === false) return 'changed'
  if (status.outOfOrder && !allowOutOfOrder) return 'out-of-order'
  return undefined
}
