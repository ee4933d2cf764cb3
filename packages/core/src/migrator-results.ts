import type { HistoryState } from './history-store.js'
import type { MigrationInfo } from './migration.js'
import type { RepeatableState } from './repeatable-history.js'

export interface MigrationOutcome extends MigrationInfo {
  /** The time of its own SQL or code, as its `migrated` or `reverted` event says and history records. */
  readonly durationMs: number
}

export interface MigrateResult {
  readonly direction: 'up' | 'down'
  /** What this run applied (up) or reverted (down), in the order it happened. */
  readonly migrations: readonly MigrationOutcome[]
  readonly durationMs: number
  /** `up` only: the versioned migrations still pending after it (beyond `to` or `step`, or behind one with no SQL yet). */
  readonly pending?: number
}

export interface PlannedMigration extends MigrationInfo {
  readonly direction: 'up' | 'down'
  readonly transaction: boolean
  /** The SQL that would run, or undefined for a code migration. */
  readonly sql: string | undefined
  /** An up-to-date repeatable migration that runs again: why (`0005_x.sql drops view v, which it creates`). */
  readonly runsAgain?: string
}

/**
 * `unreadable`: history holds a row with values mig did not write; `detail` says which.
 * `running`: outside a transaction, being applied now by a runner that holds the lock (recorded
 * as `failed` until it completes).
 */
export type MigrationState = 'pending' | 'running' | HistoryState | 'unreadable'

/**
 * What `validate` (and so `up`) would refuse about a migration, by the same rules: a history
 * row mig cannot read, failed part-way, applied but another file now holds its version,
 * applied but its file is gone, applied but its file changed, pending but older than the
 * newest applied one (only when out-of-order migrations are not allowed).
 */
export type MigrationProblem = 'unreadable' | 'failed' | 'replaced' | 'missing' | 'changed' | 'out-of-order'

export interface MigrationStatus extends MigrationInfo {
  readonly state: MigrationState
  /** False when history lists a migration whose file is gone (or holds another migration now). */
  readonly fileFound: boolean
  /** The file that now holds this applied migration's version under another name: a different migration. */
  readonly replacedBy: string | undefined
  /** The file that holds this applied migration's text under another version: renumbered since it was applied here. */
  readonly renumberedTo: string | undefined
  /** False when the file changed since it was applied; undefined while pending. */
  readonly checksumMatches: boolean | undefined
  /** Pending but older than the newest applied migration. */
  readonly outOfOrder: boolean
  /**
   * History recorded its down SQL when it was applied, so `down --missing` can revert it once its
   * file is gone; false for a code migration, one without a down section, and a pending one.
   */
  readonly downRecorded: boolean
  /** Why `validate` and `up` would refuse this migration; undefined when nothing is wrong. */
  readonly problem: MigrationProblem | undefined
  readonly appliedAt: Date | undefined
  readonly executionMs: number | undefined
  readonly appliedBy: string | undefined
  /** Why it failed, or how it was recorded. */
  readonly detail: string | undefined
}

export interface ValidationResult {
  /** Migrations in history (applied or baselined), all matching their files. */
  readonly applied: number
  /** Pending migrations, all of which parse or import. */
  readonly pending: number
  /** Migrations outside a transaction that another runner is applying now (it holds the lock). */
  readonly running: number
}

/** A repeatable migration's file beside its record; see {@link RepeatableState}. */
export interface RepeatableStatus {
  readonly name: string
  /** `repeatable/<name>.sql`. */
  readonly file: string
  readonly state: RepeatableState
  /** When it was applied last; undefined while new. */
  readonly appliedAt: Date | undefined
  readonly executionMs: number | undefined
  readonly appliedBy: string | undefined
  /**
   * Set when it is up to date but the next `up` runs it again, because a pending versioned
   * migration drops what it creates: why (`0005_x.sql drops view active_users, which it creates`).
   */
  readonly runsAgain?: string
}

/** What `mig status` shows: the versioned and the repeatable migrations, from one read of the files and history. */
export interface StatusOverview {
  readonly migrations: MigrationStatus[]
  readonly repeatables: RepeatableStatus[]
}
