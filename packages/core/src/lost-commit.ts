import type { DriverSession } from './driver.js'
import { DatabaseError } from './errors.js'
import type { HistoryStore } from './history-store.js'
import { historyStore } from './locked-session.js'
import type { Migration, MigrationInfo } from './migration.js'
import type { Execution } from './migration-execution.js'
import type { Plan } from './migration-plan.js'
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
 * that write took effect, read on a new session (see {@link holdsWrite}); in a transaction the
 * migration committed with it. The driver's `waitForWriters` (of the repeatable migrations' table
 * for a repeatable one) first waits for the lost transaction to end, as the server may still be
 * committing it. `unknown` without it, on any failure, after a few seconds, or once `cancelSignal`
 * aborts (a stop, `signal`, lets the migration under way finish, and this check is part of that).
 */
export async function checkHistoryWrite(
  settings: MigratorSettings,
  migration: Migration,
  direction: 'up' | 'down',
  cancelSignal: AbortSignal | undefined,
): Promise<HistoryWriteOutcome> {
  const historySql = settings.driver.text.historySql(settings.table)
  const waitForWriters = migration.repeatable ? historySql.repeatables?.waitForWriters : historySql.waitForWriters
  if (!waitForWriters) return 'unknown'
  const stop = stopSignalOf(AbortSignal.timeout(CHECK_MS), cancelSignal) as AbortSignal
  const connecting = settings.driver.connect({ purpose: 'check' })
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
  migration: Migration,
  direction: 'up' | 'down',
): Promise<HistoryWriteOutcome> {
  await session.begin()
  try {
    await session.runScript(waitForWriters)
    return (await holdsWrite(historyStore(settings, session), migration, direction)) ? 'written' : 'not-written'
  } finally {
    await session.rollback()
  }
}

/**
 * Whether history holds the last write of `migration`: for `up`, its row says applied; for
 * `down`, its row is gone. A repeatable migration runs only when the checksum recorded for its
 * name differs from its file's, so its write took effect when the row holds the file's checksum.
 */
async function holdsWrite(store: HistoryStore, migration: Migration, direction: 'up' | 'down'): Promise<boolean> {
  if (migration.repeatable) {
    return (await store.listRepeatables()).some((record) => record.name === migration.name && record.checksum === migration.checksum)
  }
  const row = (await store.list()).find((record) => compareVersions(record.version, migration.version) === 0)
  return direction === 'up' ? row?.state === 'applied' : row === undefined
}

/**
 * The one transaction of a `transactionMode: 'single'` run lost the answer to its COMMIT
 * (`error`): all of `plan` committed or none did, as the row of its last migration tells
 * (`completed` is all of it). Throws {@link ConnectionLostError} when it did, and otherwise the
 * failure of that last migration.
 */
export async function settleLostPlanCommit(
  execution: Execution,
  plan: Plan,
  completed: readonly MigrationInfo[],
  error: unknown,
  options: RunOptions,
): Promise<never> {
  const { direction } = plan
  const lastMigration = plan.migrations.at(-1)
  const last = completed.at(-1)
  if (!(error instanceof DatabaseError && error.connectionLost) || !lastMigration || !last) throw error
  const written = await checkHistoryWrite(execution.settings, lastMigration, direction, options.cancelSignal)
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
