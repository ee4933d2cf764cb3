import type { DriverSession, MigrationTransaction, SqlStatement } from './driver.js'
import { messageOf } from './errors.js'
import type { HistoryState } from './history-store.js'
import type { Emit, LockedSession } from './locked-session.js'
import {
  type Migration,
  type MigrationContext,
  type MigrationInfo,
  type MigrationScripts,
  type MigrationStep,
  migrationInfo,
} from './migration.js'
import { migrationFailure } from './migration-failure.js'
import { holdsSql } from './migration-file-parser.js'
import { checkSingleTransaction, type Plan, stepOf } from './migration-plan.js'
import type { MigratorSettings } from './migrator-options.js'
import type { MigrateResult, MigrationOutcome } from './migrator-results.js'
import { recordDown } from './recorded-down.js'
import { AbortedError, LockLostError } from './run-errors.js'
import { checkTransactionControl, guardTransaction } from './transaction-control-check.js'

/** What running a plan needs: the settings, the locked session, and where events go. */
export interface Execution {
  readonly settings: MigratorSettings
  readonly locked: LockedSession
  readonly emit: Emit
}

/**
 * Runs a plan under the lock: each migration in its own transaction with its history row, or
 * all of them in one (`transactionMode: 'single'`). Stops between migrations when `signal`
 * aborts; what was completed before stays and is reported.
 */
export async function runPlan(execution: Execution, plan: Plan, signal: AbortSignal | undefined): Promise<MigrateResult> {
  const { settings, locked } = execution
  const started = performance.now()
  const completed: MigrationOutcome[] = []
  const single = settings.transactionMode === 'single' && plan.migrations.length > 0
  if (single) checkSingleTransaction(plan)
  checkTransactionControl(plan.migrations, plan.scripts, settings.driver.text)
  if (plan.migrations.length) await locked.store.ensureTable()
  if (single) await locked.session.begin()
  try {
    for (const [index, migration] of plan.migrations.entries()) {
      // In one transaction, nothing before a failure stays applied.
      const kept = single ? [] : completed
      if (signal?.aborted) throw new AbortedError({ completed: kept, reason: signal.reason })
      const durationMs = await runMigration(execution, plan, index, { completed: kept, undone: single ? completed : [] }, single)
      completed.push({ ...migrationInfo(migration), durationMs })
    }
    if (single) await commit(locked, [])
  } catch (error) {
    if (single) await locked.session.rollback()
    throw error
  }
  return { direction: plan.direction, migrations: completed, durationMs: Math.round(performance.now() - started) }
}

/** Runs one migration and writes its history row; returns its duration in milliseconds. */
async function runMigration(
  { settings, locked, emit }: Execution,
  plan: Plan,
  index: number,
  { completed, undone }: { completed: readonly MigrationInfo[]; undone: readonly MigrationInfo[] },
  inOuterTransaction: boolean,
): Promise<number> {
  const { session, store } = locked
  const { direction } = plan
  const migration = plan.migrations[index] as Migration
  const info = migrationInfo(migration)
  const step = stepOf(plan, index)
  const transaction = plan.scripts[index]?.transaction === true
  checkLock(locked, completed)
  warnAbout(settings, emit, info, direction, step, transaction ? 'transaction' : 'no-transaction')
  emit({ type: direction === 'up' ? 'migrating' : 'reverting', migration: info, transaction })
  const started = performance.now()
  const record = (state: HistoryState, detail?: string) => ({
    ...migration,
    downSql: recordDown(plan.scripts[index] as MigrationScripts),
    state,
    appliedAt: new Date(),
    executionMs: performance.now() - started,
    appliedBy: settings.appliedBy,
    detail,
  })
  const fail = (error: unknown, rolledBack: boolean, statement?: SqlStatement): never => {
    const failure = migrationFailure({
      error,
      migration: info,
      direction,
      step,
      completed,
      undone,
      rolledBack,
      statement,
      text: settings.driver.text,
    })
    emit({ type: 'failed', migration: info, direction, error: failure })
    throw failure
  }

  if (transaction) {
    if (!inOuterTransaction) await session.begin()
    try {
      await runStep(session, settings, info.file, step)
      if (direction === 'up') await store.insert(record('applied'))
      else await store.delete(migration.version)
      if (!inOuterTransaction) await commit(locked, completed)
    } catch (error) {
      await session.rollback()
      if (error instanceof LockLostError) throw error
      fail(error, settings.driver.capabilities.transactionalDdl)
    }
  } else {
    // Recorded as failed before it starts, so a process killed half-way leaves a trace that
    // the next run refuses, instead of a half-applied migration that looks pending.
    const interrupted = `interrupted: the run stopped before ${direction === 'up' ? 'applying' : 'reverting'} it completely`
    if (direction === 'up') await store.insert(record('failed', interrupted))
    else await store.update(migration.version, record('failed', interrupted))
    if (step.kind === 'code') {
      try {
        await step.run(contextFor(session, settings.driver.dialect))
      } catch (error) {
        await store.update(migration.version, record('failed', `failed: ${messageOf(error)}`))
        fail(error, false)
      }
    } else {
      const statements = settings.driver.text.splitStatements(step.sql)
      for (const [position, statement] of statements.entries()) {
        checkLock(locked, completed)
        try {
          await session.runScript(statement.text)
        } catch (error) {
          await store.update(
            migration.version,
            record('failed', `statement ${position + 1} of ${statements.length} failed: ${messageOf(error)}`),
          )
          fail(error, false, statement)
        }
      }
    }
    if (direction === 'up') await store.update(migration.version, record('applied'))
    else await store.delete(migration.version)
  }
  const durationMs = Math.round(performance.now() - started)
  emit({ type: direction === 'up' ? 'migrated' : 'reverted', migration: info, durationMs, committed: !inOuterTransaction })
  return durationMs
}

/** Stops before running more SQL once the lock may have passed to another runner. */
function checkLock({ lock }: LockedSession, completed: readonly MigrationInfo[]): void {
  if (!lock.isHeld()) throw new LockLostError({ outcome: 'Nothing more was run', completed })
}

/** Commits unless the lock may have passed to another runner; then nothing of this transaction is kept. */
async function commit({ session, lock }: LockedSession, completed: readonly MigrationInfo[]): Promise<void> {
  if (!lock.isHeld()) {
    await session.rollback()
    throw new LockLostError({ outcome: 'The open transaction was rolled back, not committed', completed })
  }
  await session.commit()
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
async function runStep(session: DriverSession, { driver }: MigratorSettings, file: string, step: MigrationStep): Promise<void> {
  if (step.kind === 'sql') await session.runScript(step.sql)
  else await step.run(guardTransaction(contextFor(session, driver.dialect), driver.text, file))
}

function contextFor(session: DriverSession, dialect: string): MigrationContext {
  return { dialect, run: (sql) => session.runScript(sql), query: (sql, params) => session.query(sql, params) }
}
