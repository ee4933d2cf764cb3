import type { LockHolder } from './driver.js'
import { DuplicateVersionError } from './errors.js'
import {
  ChecksumMismatchError,
  MissingMigrationError,
  OutOfOrderMigrationError,
  PartialMigrationError,
  type Renumbered,
  ReplacedMigrationError,
  UnreadableHistoryError,
} from './history-errors.js'
import type { HistoryRecord } from './history-store.js'
import type { Migration, MigrationInfo } from './migration.js'
import { compareVersions, type MigrationVersion, newestVersion } from './migration-version.js'
import type { RepeatableComparison } from './repeatable-history.js'

/** Migrations sorted by version; two files with one version are an error. */
export function sortMigrations(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => compareVersions(a.version, b.version))
  for (let index = 1; index < sorted.length; index++) {
    const previous = sorted[index - 1] as Migration
    const current = sorted[index] as Migration
    if (previous.version === current.version) {
      const files = sorted.filter((migration) => migration.version === current.version).map((migration) => migration.file)
      throw new DuplicateVersionError({ version: current.version, files })
    }
  }
  return sorted
}

/** Files and history side by side, by version. */
export interface History {
  readonly migrations: readonly Migration[]
  readonly records: readonly HistoryRecord[]
  readonly byVersion: ReadonlyMap<MigrationVersion, Migration>
  readonly recordByVersion: ReadonlyMap<MigrationVersion, HistoryRecord>
  /** Files with no history row, in version order. */
  readonly pending: readonly Migration[]
  /** The newest version with a history row, or 0. */
  readonly newestRecordedVersion: MigrationVersion
  /** Migrations outside a transaction that a runner holding the lock is applying now, with that holder. */
  readonly running: ReadonlyMap<MigrationVersion, LockHolder>
  /** Repeatable migrations beside their records, in the order they run; empty when the operation does not concern them. */
  readonly repeatables: readonly RepeatableComparison[]
}

export function compareHistory(
  migrations: readonly Migration[],
  records: readonly HistoryRecord[],
  running: ReadonlyMap<MigrationVersion, LockHolder> = new Map(),
  repeatables: readonly RepeatableComparison[] = [],
): History {
  const byVersion = new Map(migrations.map((migration) => [migration.version, migration]))
  const recordByVersion = new Map(records.map((record) => [record.version, record]))
  const pending = migrations.filter((migration) => !recordByVersion.has(migration.version))
  const newestRecordedVersion = newestVersion(records.map((record) => record.version))
  return { migrations, records, byVersion, recordByVersion, pending, newestRecordedVersion, running, repeatables }
}

export interface HistoryCheckOptions {
  readonly allowOutOfOrder: boolean
  /** A version whose file may have changed since it was applied: `redo` reverts it with the down SQL history recorded. */
  readonly allowChanged?: MigrationVersion
  /**
   * Applied migrations whose file is gone or replaced pass, and pending files older than them
   * too: `down --missing` is about to revert them.
   */
  readonly allowMissing?: boolean
}

/** The oldest applied migration of a history that has one: `down --missing` refuses to revert anything when it is missing or replaced. */
export function oldestRecord(history: History): HistoryRecord {
  return history.records.reduce((a, b) => (compareVersions(a.version, b.version) <= 0 ? a : b))
}

/**
 * Refuses a history that disagrees with the files, most serious first: a row mig cannot read, a
 * migration that failed part-way (not one another runner is applying now), an applied file that is gone, a different file in an applied
 * migration's version, an applied file that changed, a pending file older than the newest
 * applied one.
 */
export function checkHistory(history: History, options: HistoryCheckOptions): void {
  const unreadable = history.records.filter((record) => record.state === 'unreadable')
  if (unreadable.length) {
    throw new UnreadableHistoryError({
      migrations: unreadable.map((record) => infoOf(history, record)),
      reasons: unreadable.map((record) => record.unreadable ?? ''),
    })
  }
  const failed = history.records.filter((record) => record.state === 'failed' && !history.running.has(record.version))
  if (failed.length) {
    throw new PartialMigrationError({
      migrations: failed.map((record) => infoOf(history, record)),
      errors: failed.map((record) => record.detail).filter((detail): detail is string => Boolean(detail)),
    })
  }
  const missing = history.records.filter((record) => !history.byVersion.has(record.version))
  if (missing.length && !options.allowMissing) {
    const withoutDown = history.records.filter((record) => record.downSql === undefined && replacedBy(history, record))
    const newestFile = newestVersion(history.migrations.map((migration) => migration.version))
    throw new MissingMigrationError({
      migrations: missing.map(({ version, name, file, downSql }) => ({ version, name, file, downRecorded: downSql !== undefined })),
      oldestMissing: missing.includes(oldestRecord(history)),
      newerThanFiles: missing.every((record) => compareVersions(record.version, newestFile) > 0),
      replacedWithoutDown: withoutDown.map(({ version, name, file }) => ({ version, name, file, downRecorded: false })),
      renumbered: renumberedRecords(history, missing),
    })
  }
  const replaced = history.records.filter((record) => replacedBy(history, record))
  if (replaced.length && !options.allowMissing) {
    throw new ReplacedMigrationError({
      replacements: replaced.map((record) => ({ applied: record, file: replacedBy(history, record) as Migration })),
      newestApplied: history.newestRecordedVersion,
      downRecorded: replaced.every((record) => record.downSql !== undefined),
      oldestReplaced: replaced.includes(oldestRecord(history)),
      renumbered: renumberedRecords(history, replaced),
    })
  }
  const edited = history.records.filter(
    (record) =>
      record.version !== options.allowChanged &&
      !missing.includes(record) &&
      !replaced.includes(record) &&
      history.byVersion.get(record.version)?.checksum !== record.checksum,
  )
  if (edited.length) {
    const [only] = edited
    const redoable =
      edited.length === 1 &&
      only !== undefined &&
      compareVersions(only.version, history.newestRecordedVersion) === 0 &&
      only.downSql !== undefined
    throw new ChecksumMismatchError({ migrations: edited.map((record) => infoOf(history, record)), redoable })
  }
  const outOfOrder = outOfOrderMigrations(history)
  // Once the missing ones are reverted, older pending files may no longer be out of order.
  if (outOfOrder.length && !options.allowOutOfOrder && !options.allowMissing) {
    const newest = history.recordByVersion.get(history.newestRecordedVersion) as HistoryRecord
    throw new OutOfOrderMigrationError({ migrations: outOfOrder, newestApplied: infoOf(history, newest) })
  }
}

/**
 * The file that now holds an applied migration's version under another name and with other
 * content: a different migration (two branches that both added version 4), not an edit of the
 * applied one. The same content under a new name is the applied migration, renamed.
 */
export function replacedBy(history: History, record: HistoryRecord): Migration | undefined {
  const migration = history.byVersion.get(record.version)
  return migration && migration.name !== record.name && migration.checksum !== record.checksum ? migration : undefined
}

/**
 * Applied migrations among `records` whose text a file holds under another version: each
 * was renumbered after it was applied here, beside the file it moved to.
 */
export function renumberedRecords(history: History, records: readonly HistoryRecord[]): Renumbered[] {
  return records.flatMap((record) => {
    const moved = history.migrations.find((migration) => migration.version !== record.version && migration.checksum === record.checksum)
    return moved ? [{ record, moved: { version: moved.version, name: moved.name, file: moved.file } }] : []
  })
}

export function outOfOrderMigrations(history: History): Migration[] {
  return history.pending.filter((migration) => migration.version < history.newestRecordedVersion)
}

/** The file's name for a recorded migration when the file is that migration, else what history knows. */
export function infoOf(history: History, record: HistoryRecord): MigrationInfo {
  const migration = history.byVersion.get(record.version)
  return migration && !replacedBy(history, record) ? { version: migration.version, name: migration.name, file: migration.file } : record
}
