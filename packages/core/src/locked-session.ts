import type { DriverSession, FencedMigrationLock } from './driver.js'
import { describeHolder } from './errors.js'
import type { MigratorEvent } from './events.js'
import { checkHistory, compareHistory, type History, sortMigrations } from './history-check.js'
import { type HistoryRecord, HistoryStore, type RepeatableRecord } from './history-store.js'
import { findRunningMigrations } from './in-flight-migrations.js'
import { waitForLock } from './lock-wait.js'
import type { Migration, RepeatableMigration } from './migration.js'
import type { Execution } from './migration-execution.js'
import { verifyMigrationSum } from './migration-sum.js'
import { type MigratorSettings, type ReadOptions, type RunOptions, validateRunOptions } from './migrator-options.js'
import { compareRepeatables } from './repeatable-history.js'
import { sortRepeatables } from './repeatable-migration.js'
import { AbortedError } from './run-errors.js'
import { cancellingStatements, stopSignalOf } from './stop-signal.js'

/** A session holding the migration lock, with the history table it guards. */
export interface LockedSession {
  readonly session: DriverSession
  readonly store: HistoryStore
  readonly lock: FencedMigrationLock
}

export type Emit = (event: MigratorEvent) => void

/** The source's migrations by version, refused when two share a version or when the folder's `mig.sum` disagrees. */
export async function listMigrations({ source }: Pick<MigratorSettings, 'source'>): Promise<Migration[]> {
  const migrations = sortMigrations(await source.list())
  const sum = await source.sum?.()
  if (sum !== undefined) verifyMigrationSum(sum, migrations)
  return migrations
}

/** The source's repeatable migrations in the order they run; none for a source without them. */
export async function listRepeatables({ source }: Pick<MigratorSettings, 'source'>): Promise<RepeatableMigration[]> {
  return sortRepeatables((await source.listRepeatables?.()) ?? [])
}

/** Opens a session for one operation and closes it in a `finally`. */
export async function withSession<T>(settings: MigratorSettings, work: (session: DriverSession) => Promise<T>): Promise<T> {
  const session = await settings.driver.connect()
  try {
    return await work(session)
  } finally {
    await session.close()
  }
}

export function historyStore(settings: MigratorSettings, session: DriverSession): HistoryStore {
  return new HistoryStore(session, settings.driver.text.historySql(settings.table))
}

/**
 * History beside the files, without the lock and without creating the table: for read-only
 * operations. A migration recorded as in flight counts as running while a runner holds the lock.
 * Repeatable migrations are compared only when given (`up`, `status`).
 */
export async function readHistory(
  settings: MigratorSettings,
  migrations: readonly Migration[],
  options: HistoryReadOptions,
): Promise<History> {
  throwIfCancelled(validateRunOptions(options).cancelSignal)
  return readHistoryOn(await settings.driver.connect(), settings, migrations, options)
}

/**
 * History checked against the files for `up`'s read without the lock, or undefined when that
 * read raised any doubt (a disagreement, a run in progress, a busy table) for the locked path to
 * settle. A session that cannot be opened is thrown: the locked path would only wait as long again.
 */
export async function readHistoryWithoutLock(
  settings: MigratorSettings,
  migrations: readonly Migration[],
  repeatables: readonly RepeatableMigration[],
  cancelSignal: AbortSignal | undefined,
): Promise<History | undefined> {
  const session = await settings.driver.connect()
  return readHistoryOn(session, settings, migrations, { check: true, repeatables, cancelSignal }).catch(() => undefined)
}

interface HistoryReadOptions extends ReadOptions {
  readonly check: boolean
  readonly repeatables?: readonly RepeatableMigration[]
}

/** Reads history on `session`, closes it, and compares what it read with the files. */
async function readHistoryOn(
  session: DriverSession,
  settings: MigratorSettings,
  migrations: readonly Migration[],
  options: HistoryReadOptions,
): Promise<History> {
  const { cancelSignal } = options
  let read: { records: HistoryRecord[]; repeatableRecords: RepeatableRecord[] }
  try {
    const store = historyStore(settings, session)
    read = await cancellingStatements(session, cancelSignal, async () => {
      const records = await store.list()
      throwIfCancelled(cancelSignal)
      return { records, repeatableRecords: options.repeatables ? await store.listRepeatables() : [] }
    })
  } catch (error) {
    throwIfCancelled(cancelSignal)
    throw error
  } finally {
    await session.close()
  }
  // A cancel that came as the last statement ended: the caller asked to stop, so it stops.
  throwIfCancelled(cancelSignal)
  const { records, repeatableRecords } = read
  const repeatables = options.repeatables ? compareRepeatables(options.repeatables, repeatableRecords) : []
  const history = compareHistory(migrations, records, await findRunningMigrations(settings, records), repeatables)
  if (options.check) checkHistory(history, { allowOutOfOrder: settings.allowOutOfOrder })
  return history
}

/** Throws `AbortedError` once `cancelSignal` has aborted: a read stopped before it changed anything. */
function throwIfCancelled(cancelSignal: AbortSignal | undefined): void {
  if (cancelSignal?.aborted) throw new AbortedError({ completed: [], reason: cancelSignal.reason })
}

/**
 * Runs `work` holding the migration lock, and gives the lock and the session back in a
 * `finally`. The history table is created only just before the first write, so a run refused by
 * its checks leaves the database as it was.
 */
export async function withLock<T>(
  settings: MigratorSettings,
  emit: Emit,
  signal: AbortSignal | undefined,
  work: (locked: LockedSession) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw new AbortedError({ completed: [], reason: signal.reason })
  return withSession(settings, async (session) => {
    const started = Date.now()
    const wait = { timeoutMs: settings.lockWaitMs, signal }
    let lock: FencedMigrationLock | undefined
    try {
      lock = await settings.driver.lock.open(session, settings.table, wait)
      await waitForLock(lock, {
        ...wait,
        onWait: (holder, waitedMs) =>
          emit({ type: 'lock-waiting', holder, description: holder ? describeHolder(holder) : 'holder unknown', waitedMs }),
      })
    } catch (error) {
      await lock?.release()
      // The driver and the wait reject with the signal's reason; callers get mig's own error for a cancel.
      if (signal?.aborted) throw new AbortedError({ completed: [], reason: signal.reason })
      throw error
    }
    try {
      // Inside the try: a listener or logger that throws still gets the lock released.
      emit({ type: 'lock-acquired', waitedMs: Date.now() - started })
      return await work({ session, store: historyStore(settings, session), lock })
    } finally {
      await lock.release()
      emit({ type: 'lock-released' })
    }
  })
}

/**
 * Runs `work` under the lock, with history read and checked there. The files are listed once
 * per operation (`listed` when the caller has them); `newest-may-change` lets redo revert an
 * edited newest migration; `missing: 'revert'` lets `down --missing` revert migrations whose file is gone.
 */
export async function withCheckedHistory<T>(
  settings: MigratorSettings,
  emit: Emit,
  runOptions: RunOptions,
  work: (execution: Execution, history: History) => Promise<T>,
  options: {
    listed?: readonly Migration[]
    repeatables?: readonly RepeatableMigration[]
    newest?: 'newest-may-change' | 'as-applied'
    missing?: 'refuse' | 'revert'
  } = {},
): Promise<T> {
  validateRunOptions(runOptions)
  const migrations = options.listed ?? (await listMigrations(settings))
  return withLock(settings, emit, stopSignalOf(runOptions.signal, runOptions.cancelSignal), async (locked) => {
    const repeatables = options.repeatables && compareRepeatables(options.repeatables, await locked.store.listRepeatables())
    const history = compareHistory(migrations, await locked.store.list(), undefined, repeatables)
    const allowChanged = options.newest === 'newest-may-change' ? history.newestRecordedVersion : undefined
    checkHistory(history, { allowOutOfOrder: settings.allowOutOfOrder, allowChanged, allowMissing: options.missing === 'revert' })
    return work({ settings, locked, emit }, history)
  })
}
