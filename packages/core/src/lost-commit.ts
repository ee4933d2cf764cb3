import type { DriverSession } from './driver.js'
import { DatabaseError } from './errors.js'
import { historyStore } from './locked-session.js'
import type { MigrationInfo } from './migration.js'
import type { Execution } from './migration-execution.js'
import { compareVersions } from './migration-version.js'
import type { MigratorSettings, RunOptions } from './migrator-options.js'
import { ConnectionLostError, MigrationFailedError } from './run-errors.js'
import { cancellingStatements, stopSignalOf, unlessAborted } from './stop-signal.js'

/** How long the check may take, connecting included: a run that lost one connection must not hang on the next. */
const CHECK_MS = 5_000

/** Whether a history write whose answer was lost took effect: `unknown` when mig could not find out. */
export type HistoryWriteOutcome = 'written' | 'not-written' | 'unknown'

/**
 * After the connection was lost while the last history write of `migration` was under way (its
 * transaction's COMMIT, or outside a transaction the update that records it applied): whether
 * that write took effect, read on a new session. For `up` it did when the row says applied, for
 * `down` when the row is gone; in a transaction the migration committed with it. The driver's
 * `waitForWriters` first waits for the lost transaction to end, as the server may still be
 * committing it. `unknown` without it, on any failure, after a few seconds, or once `cancelSignal`
 * aborts (a stop, `signal`, lets the migration under way finish, and this check is part of that).
 */
export async function checkHistoryWrite(
  settings: MigratorSettings,
  migration: MigrationInfo,
  direction: 'up' | 'down',
  cancelSignal: AbortSignal | undefined,
): Promise<HistoryWriteOutcome> {
  const { waitForWriters } = settings.driver.text.historySql(settings.table)
  if (!waitForWriters || migration.repeatable) return 'unknown'
  const stop = stopSignalOf(AbortSignal.timeout(CHECK_MS), cancelSignal) as AbortSignal
  const connecting = settings.driver.connect()
  try {
    const read = connecting.then((session) =>
      cancellingStatements(session, stop, () => readWrite(settings, session, waitForWriters, migration, direction)),
    )
    return (await unlessAborted(read, stop)) ?? 'unknown'
  } catch {
    return 'unknown'
  } finally {
    // A session that opens after the check gave up is closed as soon as it does.
    void connecting.then((session) => session.close()).catch(() => undefined)
  }
}

async function readWrite(
  settings: MigratorSettings,
  session: DriverSession,
  waitForWriters: string,
  migration: MigrationInfo,
  direction: 'up' | 'down',
): Promise<HistoryWriteOutcome> {
  await session.begin()
  try {
    await session.runScript(waitForWriters)
    const row = (await historyStore(settings, session).list()).find((record) => compareVersions(record.version, migration.version) === 0)
    return (direction === 'up' ? row?.state === 'applied' : row === undefined) ? 'written' : 'not-written'
  } finally {
    await session.rollback()
  }
}

/**
 * The one transaction of a `transactionMode: 'single'` run lost the answer to its COMMIT
 * (`error`): all of it committed or none did, as the row of its last migration tells. Throws
 * {@link ConnectionLostError} when it did, and otherwise the failure of that last migration.
 */
export async function settleLostPlanCommit(
  execution: Execution,
  direction: 'up' | 'down',
  completed: readonly MigrationInfo[],
  error: unknown,
  options: RunOptions,
): Promise<never> {
  const last = [...completed].reverse().find((migration) => !migration.repeatable)
  if (!(error instanceof DatabaseError && error.connectionLost) || !last) throw error
  const written = await checkHistoryWrite(execution.settings, last, direction, options.cancelSignal)
  if (written === 'written') throw new ConnectionLostError({ migration: last, direction, completed, cause: error })
  const undone = completed.filter((migration) => migration !== last)
  const outcome = written === 'unknown' ? 'commit-unknown' : undefined
  const failure = new MigrationFailedError({
    migration: last,
    direction,
    completed: [],
    undone,
    rolledBack: !outcome,
    outcome,
    cause: error,
  })
  execution.emit({ type: 'failed', migration: last, direction, error: failure })
  throw failure
}
