import { setTimeout as sleep } from 'node:timers/promises'
import { monotonicMs, Stopwatch } from './clock.js'
import type { DriverSession, MigrationTransaction, SqlStatement } from './driver.js'
import { DatabaseError, messageOf } from './errors.js'
import type { HistoryEntry, HistoryState } from './history-store.js'
import { IN_FLIGHT_DETAIL } from './in-flight-migrations.js'
import { checkLock, commitHoldingLock, fence } from './lock-fence.js'
import type { Emit, LockedSession } from './locked-session.js'
import { checkHistoryWrite, settleLostPlanCommit } from './lost-commit.js'
import { type Migration, type MigrationInfo, type MigrationScripts, type MigrationStep, migrationInfo } from './migration.js'
import { migrationContext, sqlOfFailedCall } from './migration-context.js'
import { type FailureOptions, interruptedMigration, migrationFailure, rolledBackOn } from './migration-failure.js'
import { holdsSql } from './migration-file-parser.js'
import { checkPlanRuns, describePlan, type Plan, stepOf } from './migration-plan.js'
import { guardStatements } from './migration-statement-check.js'
import type { BeforeRunOptions, MigratorSettings, RunOptions } from './migrator-options.js'
import type { MigrateResult, MigrationOutcome } from './migrator-results.js'
import { recordDown } from './recorded-down.js'
import { AbortedError, ConnectionLostError, gaveUpWaiting, historyWrite, LockLostError } from './run-errors.js'
import { cancellingStatements, type StopNow, stopNowOf } from './stop-signal.js'
import { rollBackTransactionLeftOpen } from './transaction-left-open.js'

/** What running a plan needs: the settings, the locked session, and where events go. */
export interface Execution {
  readonly settings: MigratorSettings
  readonly locked: LockedSession
  readonly emit: Emit
}

/** One migration of a plan, as it runs. */
interface Run {
  readonly execution: Execution
  readonly migration: Migration
  readonly info: MigrationInfo
  readonly direction: 'up' | 'down'
  readonly step: MigrationStep
  /** Completed before it by this run (none in one outer transaction: they roll back with it). */
  readonly completed: readonly MigrationInfo[]
  /** Run before it in the same outer transaction: they roll back with it. */
  readonly undone: readonly MigrationInfo[]
  /** The down SQL recorded in history with it. */
  readonly downSql: string | undefined
  readonly inOuterTransaction: boolean
  readonly options: RunOptions
  /** Aborts when `cancelSignal` does, with the `AbortedError` the run then throws; a code migration gets it. */
  readonly stopNow: StopNow
  /**
   * The time spent in the migration's own SQL or code, without mig's work around it (the
   * transaction, the lock's fence, the history writes): the execution time history records and
   * the duration its event reports.
   */
  readonly ownWork: Stopwatch
  /**
   * The SQL announced as sent, in order, kept only on a database that keeps DDL (a failure names
   * what ran): a backfill's millions of calls would otherwise all stay in memory.
   */
  readonly sent: string[] | undefined
}

/**
 * Runs a plan under the lock: each migration in its own transaction with its history row, or
 * all of them in one (`transactionMode: 'single'`). Stops between migrations when `signal`
 * aborts; what was completed before stays and is reported. `cancelSignal` also cancels the
 * statement running now (see {@link RunOptions}). `beforeRun` is called once the plan passed
 * its checks, before the first write.
 */
export async function runPlan(execution: Execution, plan: Plan, options: RunOptions & BeforeRunOptions): Promise<MigrateResult> {
  const { settings, locked } = execution
  const started = monotonicMs()
  const completed: MigrationOutcome[] = []
  const single = settings.transactionMode === 'single' && plan.migrations.length > 0
  checkPlanRuns(plan, settings)
  if (plan.migrations.length) await options.beforeRun?.(describePlan(plan))
  if (plan.migrations.length) await locked.store.ensureTable()
  if (plan.migrations.some((migration) => migration.repeatable)) await locked.store.ensureRepeatableTable()
  if (single) await locked.session.begin()
  try {
    if (single) await fence(locked, [])
    for (const [index, migration] of plan.migrations.entries()) {
      // In one transaction, nothing before a failure stays applied.
      const kept = single ? [] : completed
      // A synchronous driver never gives the event loop a turn otherwise, so a signal handler
      // (Ctrl-C, SIGTERM) would wait for the whole run.
      await new Promise((resolve) => setImmediate(resolve))
      const stop = [options.signal, options.cancelSignal].find((signal) => signal?.aborted)
      if (stop) throw new AbortedError({ completed: kept, undone: single ? completed : [], reason: stop.reason })
      const durationMs = await runMigration(execution, plan, index, { completed: kept, undone: single ? completed : [] }, single, options)
      completed.push({ ...migrationInfo(migration), durationMs })
    }
    if (single)
      await commitHoldingLock(locked, []).catch((error: unknown) => settleLostPlanCommit(execution, plan, completed, error, options))
  } catch (error) {
    if (single) await locked.session.rollback()
    throw error
  }
  return { direction: plan.direction, migrations: completed, durationMs: Math.round(monotonicMs() - started) }
}

/** Runs one migration and writes its history row; returns its duration in milliseconds. */
async function runMigration(
  execution: Execution,
  plan: Plan,
  index: number,
  { completed, undone }: { completed: readonly MigrationInfo[]; undone: readonly MigrationInfo[] },
  inOuterTransaction: boolean,
  options: RunOptions,
): Promise<number> {
  const { settings, locked, emit } = execution
  const migration = plan.migrations[index] as Migration
  const scripts = plan.scripts[index]
  const info = migrationInfo(migration)
  const step = stepOf(plan, index)
  const transaction = scripts?.transaction === true
  checkLock(locked, completed)
  warnAbout(settings, emit, info, plan.direction, step, transaction ? 'transaction' : 'no-transaction')
  const lockTimeoutWarning = locked.session.setLockTimeout
    ? locked.session.setLockTimeout(scripts?.lockTimeout, transaction)
    : scripts?.lockTimeout && `the ${settings.driver.dialect} driver has no lock timeout, so "-- mig:lock-timeout" is ignored`
  if (lockTimeoutWarning) emit({ type: 'warning', migration: info, message: lockTimeoutWarning })
  emit({ type: plan.direction === 'up' ? 'migrating' : 'reverting', migration: info, transaction })
  const interrupted = interruptedMigration(info, plan.direction, transaction, settings.driver)
  const stopNow = stopNowOf(
    options.cancelSignal,
    () => new AbortedError({ completed, undone, interrupted, reason: options.cancelSignal?.reason }),
  )
  const run: Run = {
    execution,
    migration,
    info,
    direction: plan.direction,
    step,
    completed,
    undone,
    downSql: recordDown(scripts as MigrationScripts),
    inOuterTransaction,
    options,
    stopNow,
    ownWork: new Stopwatch(),
    sent: settings.driver.capabilities.transactionalDdl ? undefined : [],
  }
  try {
    if (transaction) await runInTransaction(run, inOuterTransaction)
    else await runOutsideTransaction(run)
  } finally {
    stopNow.release()
  }
  return reportDone(run)
}

/** Reports the migration applied (or reverted); returns its duration in milliseconds. */
function reportDone(run: Run): number {
  const durationMs = Math.round(run.ownWork.elapsedMs)
  run.execution.emit({
    type: run.direction === 'up' ? 'migrated' : 'reverted',
    migration: run.info,
    durationMs,
    committed: !run.inOuterTransaction,
  })
  return durationMs
}

/**
 * The migration and its history row in one transaction. A migration that gave up waiting for a
 * table lock was rolled back whole, so it is safe to run again: after a back-off, a bounded
 * number of times, each retry reported.
 */
async function runInTransaction(run: Run, inOuterTransaction: boolean): Promise<void> {
  const { settings, locked, emit } = run.execution
  const { session } = locked
  // A retry runs the migration again from its start, which is safe only when the rollback undid all of it.
  const attempts = inOuterTransaction || !settings.driver.capabilities.transactionalDdl ? 1 : settings.lockTimeoutRetries + 1
  for (let attempt = 1; ; attempt++) {
    let committing = false
    if (!inOuterTransaction) await session.begin()
    // An attempt rolled back is not part of the migration's work.
    run.ownWork.reset()
    try {
      if (!inOuterTransaction) await fence(locked, run.completed)
      await runOwnWork(run, () => runStep(session, run))
      if (await cancelledSince(run)) throw run.options.cancelSignal?.reason
      await recordInTransaction(run).catch(markHistoryWrite)
      committing = true
      if (!inOuterTransaction) await commitHoldingLock(locked, run.completed)
      return
    } catch (error) {
      await session.rollback()
      if (error instanceof LockLostError) throw error
      if (committing && error instanceof DatabaseError && error.connectionLost) {
        await settleLostWrite(run, error, rolledBackOn(settings.driver))
      }
      if (run.options.cancelSignal?.aborted) cancelled(run)
      const lockTimeout = error instanceof DatabaseError && settings.driver.text.isLockTimeout(error)
      if (lockTimeout && attempt < attempts && !run.options.signal?.aborted) {
        const delayMs = Math.min(500 * 2 ** (attempt - 1), 8_000)
        emit({ type: 'retrying', migration: run.info, attempt: attempt + 1, attempts, delayMs, error: error as Error })
        await sleep(delayMs, undefined, { signal: run.options.signal }).catch((reason: unknown) => {
          throw new AbortedError({ completed: run.completed, reason })
        })
        continue
      }
      fail(run, lockTimeout && attempts > 1 ? gaveUpWaiting(error as DatabaseError, attempt, run.options.signal?.aborted) : error, {
        ...rolledBackOn(settings.driver),
        stage: failedHistoryWrites.has(error as object) ? 'history' : 'migration',
      })
    }
  }
}

async function runOutsideTransaction(run: Run): Promise<void> {
  const { settings, locked } = run.execution
  const { session, store } = locked
  const { direction, migration } = run
  // Recorded before it starts, so a process killed half-way leaves a trace that the next run
  // refuses, instead of a half-applied migration that looks pending. While its runner holds
  // the lock, status reports it as running (see in-flight-migrations.ts).
  const step = run.step
  const statements = step.kind === 'sql' ? settings.driver.text.splitStatements(step.sql) : []
  // The row of a failed down looks like that of a failed up, so its detail says which it was.
  const reverting = direction === 'down' ? 'while reverting it, ' : ''
  // With more than one statement, the row names the one under way: those before it are committed.
  const inFlight = (position: number) =>
    statements.length > 1
      ? `${IN_FLIGHT_DETAIL} ${reverting}the run stopped during statement ${position + 1} of ${statements.length}, after the ones before it committed`
      : `${IN_FLIGHT_DETAIL} the run stopped before ${direction === 'up' ? 'applying' : 'reverting'} it completely`
  if (direction === 'up') await store.insert(record(run, 'failed', inFlight(0)))
  else await store.update(migration.version, record(run, 'failed', inFlight(0)))
  const failed = async (error: unknown, detail: (outcome: string) => string, statement?: SqlStatement): Promise<never> => {
    const stopped = run.options.cancelSignal?.aborted === true
    // On a connection that died, the row written before the migration started stays: it says as much.
    await store
      .update(migration.version, record(run, 'failed', `${reverting}${detail(stopped ? 'cancelled' : 'failed')}`))
      .catch(() => undefined)
    if (stopped) cancelled(run)
    return fail(run, error, { rolledBack: false, statement })
  }
  const partWay = (error: unknown) => fail(run, error, { rolledBack: false })
  if (step.kind === 'code') {
    const { signal } = run.stopNow
    await runOwnWork(run, async () => step.run(contextFor(session, run, false))).catch((error: unknown) =>
      failed(error, (outcome) => (stoppedBy(error, signal) ? `${outcome} before its next statement` : `${outcome}: ${messageOf(error)}`)),
    )
    // It returned after it was told to stop (it caught the refusal, or left its loop early): mig
    // cannot tell whether it finished, so it is failed, not applied.
    if (signal.aborted) await failed(signal.reason, (outcome) => `${outcome} while it ran, and returned: it may not have finished`)
  } else {
    for (const [position, statement] of statements.entries()) {
      if (position > 0 && (await cancelledSince(run))) {
        await failed(run.options.cancelSignal?.reason, (outcome) => `${outcome} before statement ${position + 1} of ${statements.length}`)
      }
      await fence(locked, run.completed, { migration: run.info, before: `${position + 1} of ${statements.length}` })
      // A history write that fails (a database kept locked) after statements committed is reported as part-way, too.
      if (position > 0) await store.update(migration.version, record(run, 'failed', inFlight(position))).catch(partWay)
      announce(run, statement.text)
      await runOwnWork(run, () => session.runScript(statement.text)).catch((error: unknown) =>
        failed(error, (outcome) => `statement ${position + 1} of ${statements.length} ${outcome}: ${messageOf(error)}`, statement),
      )
    }
  }
  await rollBackTransactionLeftOpen(session).catch((error: unknown) => failed(error, (outcome) => `${outcome}: ${messageOf(error)}`))
  await (direction === 'up' ? store.update(migration.version, record(run, 'applied')) : store.delete(migration.version)).catch(
    async (error: unknown) => {
      const detail = `ran to the end, but ${historyWrite(direction)} failed: ${messageOf(error)}`
      // The row says so, unless the database refuses this write too: then it keeps the detail written before the last statement.
      await store.update(migration.version, record(run, 'failed', detail)).catch(() => undefined)
      if (error instanceof DatabaseError && error.connectionLost) await settleLostWrite(run, error, { rolledBack: false, stage: 'history' })
      return fail(run, error, { rolledBack: false, stage: 'history' })
    },
  )
}

/** Errors of a history write made after the migration ran to the end: the failure says that the write failed. */
const failedHistoryWrites = new WeakSet<object>()

function markHistoryWrite(error: unknown): never {
  if (error instanceof Object) failedHistoryWrites.add(error)
  throw error
}

/** The history write of a migration that ran in a transaction, in that transaction. */
async function recordInTransaction(run: Run): Promise<void> {
  const { store } = run.execution.locked
  if (run.migration.repeatable) {
    const { name, file, checksum } = run.migration
    const { appliedBy } = run.execution.settings
    await store.recordRepeatable({ name, file, checksum, appliedAt: new Date(), executionMs: run.ownWork.elapsedMs, appliedBy })
  } else if (run.direction === 'up') await store.insert(record(run, 'applied'))
  else await store.delete(run.migration.version)
}

function record(run: Run, state: HistoryState, detail?: string): HistoryEntry {
  const { version, name, file, checksum } = run.migration
  // Named fields, not `...run.migration`: see the object literals of from-directory.ts.
  return {
    version,
    name,
    file,
    checksum,
    downSql: run.downSql,
    state,
    appliedAt: new Date(),
    executionMs: run.ownWork.elapsedMs,
    appliedBy: run.execution.settings.appliedBy,
    detail,
  }
}

type FailOptions = Pick<FailureOptions, 'rolledBack' | 'statement' | 'stage' | 'outcome'>

/**
 * The connection was lost while the migration's last history write was under way: a new session
 * reads whether it took effect. It did: the migration is done, and the run stops with
 * {@link ConnectionLostError}. It did not: the failure as `notWritten` says. Unknown: the failure says so.
 */
async function settleLostWrite(run: Run, error: DatabaseError, notWritten: FailOptions): Promise<never> {
  const written = await checkHistoryWrite(run.execution.settings, run.migration, run.direction, run.options.cancelSignal)
  if (written === 'unknown') fail(run, error, { ...notWritten, rolledBack: false, outcome: 'commit-unknown' })
  if (written === 'not-written') fail(run, error, notWritten)
  reportDone(run)
  throw new ConnectionLostError({ migration: run.info, direction: run.direction, completed: [...run.completed, run.info], cause: error })
}

function fail(run: Run, error: unknown, options: FailOptions): never {
  const failedCall = sqlOfFailedCall(error)
  const statement = options.statement ?? (failedCall === undefined ? undefined : { text: failedCall, offset: 0 })
  const { info: migration, direction, step, completed, undone, sent } = run
  const { text } = run.execution.settings.driver
  const failure = migrationFailure({ ...options, error, migration, direction, step, completed, undone, statement, sent, text })
  run.execution.emit({ type: 'failed', migration: run.info, direction: run.direction, error: failure })
  throw failure
}

/** The run was told to stop now while `run` ran: it was rolled back, or (outside a transaction) recorded as failed. */
function cancelled(run: Run): never {
  throw run.stopNow.signal.reason
}

/** Whether a code migration threw its signal's reason, or an error caused by it (Node's timers reject with an AbortError around it). */
function stoppedBy(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted && (error === signal.reason || (error instanceof Error && error.cause === signal.reason))
}

/**
 * Runs the migration's own SQL or code (`work`), timed into {@link Run.ownWork}, while a cancel
 * asks the driver to stop the statement on the server.
 */
function runOwnWork<T>(run: Run, work: () => Promise<T>): Promise<T> {
  return run.ownWork.time(() => cancellingStatements(run.execution.locked.session, run.options.cancelSignal, work))
}

/**
 * Whether the run's cancel signal has fired. A synchronous driver (one without `cancel`) gives
 * a signal handler no turn while its statement runs, so the handler is let run first.
 */
async function cancelledSince(run: Run): Promise<boolean> {
  const { cancelSignal } = run.options
  if (!cancelSignal) return false
  if (!run.execution.locked.session.cancel) await new Promise((resolve) => setImmediate(resolve))
  return cancelSignal.aborted
}

function warnAbout(
  settings: MigratorSettings,
  emit: Emit,
  migration: MigrationInfo,
  direction: 'up' | 'down',
  step: MigrationStep,
  transaction: MigrationTransaction,
): void {
  if (step.kind !== 'sql') return
  if (!holdsSql(step.sql)) emit({ type: 'warning', migration, message: `the ${direction} section holds no SQL, so it changes nothing` })
  for (const message of settings.driver.text.inspectScript(step.sql, transaction)) emit({ type: 'warning', migration, message })
}

/** Runs one step in mig's transaction. */
async function runStep(session: DriverSession, run: Run): Promise<void> {
  const { step } = run
  if (step.kind === 'sql') {
    announce(run, step.sql)
    await session.runScript(step.sql)
  } else {
    await step.run(contextFor(session, run, true))
  }
}

/** A code migration's context, on the migration's session and signal, refusing what mig cannot run. */
function contextFor(session: DriverSession, run: Run, transaction: boolean) {
  const { driver } = run.execution.settings
  const context = migrationContext(session, { dialect: driver.dialect, signal: run.stopNow.signal, announce: (sql) => announce(run, sql) })
  return guardStatements(context, driver.text, run.info.file, transaction)
}

function announce(run: Run, sql: string): void {
  run.sent?.push(sql)
  run.execution.emit({ type: 'executing', migration: run.info, sql })
}
