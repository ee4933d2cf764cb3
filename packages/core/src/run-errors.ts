import type { LockHolder } from './driver.js'
import { causeMessage, DatabaseError, describeHolder, list, MigError, migrationJson } from './errors.js'
import type { MigrationInfo } from './migration.js'
import { isCodeMigrationFile } from './migration-filename.js'

/** Where in its file a failing statement stands. */
export interface FilePosition {
  readonly line: number
  readonly column?: number
}

export interface MigrationFailedErrorOptions {
  readonly migration: MigrationInfo
  readonly direction: 'up' | 'down'
  readonly position?: FilePosition
  /** Migrations this run applied (or reverted) before the failure; they stay in place. */
  readonly completed: readonly MigrationInfo[]
  /**
   * Migrations that ran before it in the same transaction (`transactionMode: 'single'`) and
   * were rolled back with it: the database holds them as it did before the run.
   */
  readonly undone?: readonly MigrationInfo[]
  readonly rolledBack: boolean
  /**
   * `commit-unknown`: the connection was lost after COMMIT was sent (outside a transaction: after
   * the write that records it applied), and a new session could not tell whether it took effect.
   * `ddl-kept`: its transaction rolled back on a database that commits DDL at once.
   */
  readonly outcome?: 'commit-unknown' | 'ddl-kept'
  readonly statement?: string
  /** With `ddl-kept`: its statements that ran before it stopped, when mig knows them. */
  readonly statementsRun?: readonly string[]
  /**
   * What failed: the migration's own SQL or code (the default), or, after that ran to the end,
   * the write of its history row.
   */
  readonly stage?: MigrationStage
  readonly cause: unknown
}

/** The part of running a migration that failed: its own SQL or code, or the history write after it. */
export type MigrationStage = 'migration' | 'history'

/**
 * How a failed migration left the database: rolled back, part-way (outside a transaction), its
 * DDL kept (its transaction, history row included, rolled back on a database that commits DDL at
 * once, so it is still pending while the schema changes that ran before the failure stayed), or
 * unknown (the answer to COMMIT, or to the write recording it, was lost, and checking on a new connection failed).
 */
export type FailedMigrationOutcome = 'rolled-back' | 'part-way' | 'ddl-kept' | 'commit-unknown'

/** What to do about a migration that stopped part-way outside a transaction (its history row says failed). */
function repairAdvice(migration: MigrationInfo): string {
  return `Finish or undo ${migration.file} by hand, then run \`mig repair ${migration.version} --applied\` or \`mig repair ${migration.version} --rolled-back\``
}

/**
 * What became of a migration whose transaction rolled back on a database that commits DDL at
 * once (`transactionalDdl: false`): nothing records it, while what its statements changed may have stayed.
 */
function keptDdlState(direction: 'up' | 'down', statementsRun: readonly string[] | undefined): string {
  const changed = statementsRun
    ? `the changes these statements of it made may have been kept (a schema change stays, with what ran before it):\n${statementsRun.map((statement) => `  ${oneLine(statement)}`).join('\n')}\n`
    : 'the changes its statements made before it stopped may have been kept (mig cannot tell which of them ran). '
  const still = direction === 'up' ? 'not written, so it is still pending' : 'not deleted, so it is still applied'
  return `Its transaction was rolled back, but this database commits DDL at once: ${changed}Its history row was ${still}.`
}

/** What to do about a migration whose DDL was kept while its history write rolled back; `fix` comes first. */
function keptDdlAdvice(migration: MigrationInfo, direction: 'up' | 'down', statementsRun: readonly string[] | undefined, fix = ''): string {
  const what = statementsRun ? 'those statements' : 'it'
  return `${fix}Check the database and undo or complete by hand what ${what} changed, then ${direction === 'up' ? 'apply' : 'roll back'} ${migration.file} again; \`mig repair\` does not apply, as nothing was recorded.`
}

/** A statement on one line, cut short: for a list of statements in a message (the error's fields keep them whole). */
function oneLine(statement: string): string {
  const line = statement.trim().replace(/\s+/g, ' ')
  return line.length > 100 ? `${line.slice(0, 99)}…` : line
}

/** The history write that records a migration as applied (or, for `down`, as reverted). */
export function historyWrite(direction: 'up' | 'down'): string {
  return direction === 'up' ? 'writing its history row' : 'deleting its history row'
}

/** What to do about a migration that ran to the end while its history write failed. */
function historyAdvice(migration: MigrationInfo, direction: 'up' | 'down', outcome: FailedMigrationOutcome): string {
  const repair = `\`mig repair ${migration.version} ${direction === 'up' ? '--applied' : '--rolled-back'}\``
  if (outcome === 'commit-unknown') return ` If it shows failed, record the outcome with ${repair}.`
  const fix = ' Fix what refused the history write (the cause above), then'
  if (outcome === 'rolled-back') return `${fix} ${direction === 'up' ? 'apply it' : 'roll it back'} again.`
  return `${fix} record the outcome with ${repair}.`
}

/** A migration failed this run. Earlier migrations of the same run stay applied. */
export class MigrationFailedError extends MigError {
  readonly migration: MigrationInfo
  readonly direction: 'up' | 'down'
  readonly position: FilePosition | undefined
  readonly completed: readonly MigrationInfo[]
  readonly undone: readonly MigrationInfo[]
  readonly rolledBack: boolean
  readonly outcome: FailedMigrationOutcome
  readonly statement: string | undefined
  readonly stage: MigrationStage
  /** With outcome `ddl-kept`: its statements that ran before it stopped, whose changes may have stayed; undefined when mig cannot tell. */
  readonly statementsRun: readonly string[] | undefined

  constructor(options: MigrationFailedErrorOptions) {
    const { migration, direction, position, completed, rolledBack, statementsRun, cause } = options
    const stage = options.stage ?? 'migration'
    const undone = options.undone ?? []
    const where = position ? `${migration.file}:${position.line}${position.column ? `:${position.column}` : ''}` : migration.file
    const verb = direction === 'up' ? 'applied' : 'reverted'
    const outcome: FailedMigrationOutcome = options.outcome ?? (rolledBack ? 'rolled-back' : 'part-way')
    const sharedFate =
      outcome === 'commit-unknown'
        ? 'committed or rolled back with it'
        : `${undone.length > 1 ? 'were' : 'was'} rolled back too and ${undone.length > 1 ? 'are' : 'is'} ${direction === 'up' ? 'still pending' : 'still applied'}`
    const undoneText = undone.length
      ? ` The whole run was one transaction, so ${list(undone)}, ${verb} before it in that transaction, ${sharedFate}.`
      : ''
    const done = completed.length
      ? `This run ${direction === 'up' ? 'applied' : 'reverted'} ${list(completed)} before it; ${completed.length > 1 ? 'they stay' : 'it stays'} ${direction === 'up' ? 'applied' : 'reverted'}.`
      : `Nothing else was ${direction === 'up' ? 'applied' : 'reverted'} by this run.`
    const failure = stage === 'history' ? `it ran to the end, but ${historyWrite(direction)} failed: ` : ''
    const state = {
      'rolled-back': `Its changes were rolled back${stage === 'history' ? `, so it is still ${direction === 'up' ? 'pending' : 'applied'}` : ''}.`,
      'part-way':
        stage === 'history'
          ? 'It ran outside a transaction, so its changes stay, while its history row says failed.'
          : 'It ran outside a transaction, so part of it may have taken effect; it is recorded as failed.',
      'commit-unknown':
        stage === 'history'
          ? `It ran outside a transaction, so its changes stay. The connection was lost as its history row was written, and a new connection could not tell whether that write took effect: \`mig status\` shows it ${direction === 'up' ? 'applied or failed' : 'reverted or failed'}.`
          : `The connection was lost after COMMIT was sent, and mig cannot tell whether it was committed: checking on a new connection failed too. It and its history row commit or roll back together: \`mig status\` shows it ${direction === 'up' ? 'applied or still pending' : 'reverted or still applied'}.`,
      'ddl-kept': keptDdlState(direction, statementsRun),
    }[outcome]
    const advice =
      outcome === 'ddl-kept'
        ? ` ${keptDdlAdvice(migration, direction, statementsRun, stage === 'history' ? 'Fix what refused the history write (the cause above). ' : '')}`
        : stage === 'history'
          ? historyAdvice(migration, direction, outcome)
          : outcome === 'part-way'
            ? ` ${repairAdvice(migration)}.`
            : ''
    super(
      'MIG_MIGRATION_FAILED',
      `${direction === 'up' ? 'Migration' : 'Rollback of'} ${where} failed: ${failure}${causeMessage(cause)}\n${state}${undoneText} ${done}${advice}`,
      {
        cause,
      },
    )
    this.migration = migration
    this.direction = direction
    this.position = position
    this.completed = completed
    this.undone = undone
    this.rolledBack = outcome === 'rolled-back'
    this.outcome = outcome
    this.statement = options.statement
    this.stage = stage
    this.statementsRun = outcome === 'ddl-kept' ? statementsRun : undefined
  }

  override toJSON() {
    return {
      ...super.toJSON(),
      migration: migrationJson(this.migration),
      direction: this.direction,
      position: this.position ?? null,
      statement: this.statement ?? null,
      rolledBack: this.rolledBack,
      outcome: this.outcome,
      stage: this.stage,
      statementsRun: this.statementsRun ?? null,
      completed: this.completed.map(migrationJson),
      undone: this.undone.map(migrationJson),
    }
  }
}

export class IrreversibleMigrationError extends MigError {
  readonly migration: MigrationInfo

  /** `reason` replaces the default explanation, for a migration whose recorded down SQL is what is missing. */
  constructor(options: { migration: MigrationInfo; reason?: string }) {
    const { migration } = options
    super(
      'MIG_IRREVERSIBLE',
      options.reason ??
        (isCodeMigrationFile(migration.file)
          ? `${migration.file} exports no down(context) function, so it cannot be rolled back. Nothing was reverted. Export a down(context) that undoes it`
          : `${migration.file} has no down section (or an empty one), so it cannot be rolled back. Nothing was reverted. Write the SQL that undoes it under "-- mig:down"`) +
          ` and record the edited file with \`mig repair ${migration.version} --accept-checksum\`, or roll back to a version after ${migration.version}.`,
    )
    this.migration = migration
  }

  override toJSON() {
    return { ...super.toJSON(), migration: migrationJson(this.migration) }
  }
}

export class LockTimeoutError extends MigError {
  readonly timeoutMs: number
  readonly holder: LockHolder | undefined

  constructor(options: { timeoutMs: number; holder?: LockHolder }) {
    const { timeoutMs, holder } = options
    super(
      'MIG_LOCK_TIMEOUT',
      `Gave up after waiting ${Number((timeoutMs / 1000).toFixed(1))}s for the migration lock, which another migration run holds${holder ? ` (${describeHolder(holder)})` : ''}. ` +
        (holder?.clearBy
          ? `Its holder cannot give it back by itself; if that run is over, clear the lock by hand: ${holder.clearBy}`
          : `${holder?.expiresAt ? 'If that run is gone (killed without releasing), the lease frees the lock when it ends. Otherwise wait' : 'Wait'} for it to finish and try again, or wait longer: lockWaitMs, --lock-wait <seconds> in the CLI.`),
    )
    this.timeoutMs = timeoutMs
    this.holder = holder
  }

  override toJSON() {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs }
  }
}

/**
 * The migration lock was lost (its connection closed or stopped answering, or its lease passed
 * to another runner), so this run stopped before committing anything more.
 */
export class LockLostError extends MigError {
  readonly completed: readonly MigrationInfo[]
  /** A migration outside a transaction that the run left part-way, recorded as failed. */
  readonly interrupted: MigrationInfo | undefined

  constructor(options: { outcome: string; completed: readonly MigrationInfo[]; interrupted?: MigrationInfo; cause?: unknown }) {
    const { completed, interrupted } = options
    const done = completed.length ? ` Completed before that: ${list(completed)}.` : ''
    const next = interrupted ? `${repairAdvice(interrupted)}, and run the migrations again.` : 'Run the migrations again.'
    super(
      'MIG_LOCK_LOST',
      `This run lost the migration lock (its connection closed or stopped answering, or its lease expired and may now be held by another runner). ${options.outcome}.${done} ${next}`,
      { cause: options.cause },
    )
    this.completed = completed
    this.interrupted = interrupted
  }

  override toJSON() {
    return {
      ...super.toJSON(),
      completed: this.completed.map(migrationJson),
      interrupted: this.interrupted ? { ...migrationJson(this.interrupted), rolledBack: false } : null,
    }
  }
}

/**
 * The connection was lost while the write that records a migration applied (or reverted) was
 * committing, and a new session found that it took effect: the migration is done, and the run
 * stopped after it.
 */
export class ConnectionLostError extends MigError {
  /** The migration whose commit lost its answer; the last of `completed`. */
  readonly migration: MigrationInfo
  readonly direction: 'up' | 'down'
  /** Everything this run applied (or reverted), `migration` included; it stays. */
  readonly completed: readonly MigrationInfo[]

  constructor(options: { migration: MigrationInfo; direction: 'up' | 'down'; completed: readonly MigrationInfo[]; cause: unknown }) {
    const { migration, direction, completed, cause } = options
    const verb = direction === 'up' ? 'applied' : 'reverted'
    super(
      'MIG_CONNECTION_LOST',
      `The connection to the database was lost while the write recording ${migration.file} as ${verb} was committing (${causeMessage(cause)}). ` +
        `Checked on a new connection, it took effect: ${migration.file} is ${verb}. This run ${verb} ${list(completed)}, and ran nothing after ${migration.file}. Run the migrations again to continue.`,
      { cause },
    )
    this.migration = migration
    this.direction = direction
    this.completed = completed
  }

  override toJSON() {
    return {
      ...super.toJSON(),
      migration: migrationJson(this.migration),
      direction: this.direction,
      completed: this.completed.map(migrationJson),
    }
  }
}

/** The migration a cancelled run was in when the cancel came, and what became of it. */
export interface InterruptedMigration {
  readonly migration: MigrationInfo
  readonly direction: 'up' | 'down'
  /** True when its transaction was rolled back, all of it. */
  readonly rolledBack: boolean
  /**
   * `rolled-back`; `part-way`: it ran outside a transaction and is recorded as failed; `ddl-kept`:
   * its transaction, history row included, rolled back on a database that commits DDL at once.
   */
  readonly outcome: InterruptedOutcome
}

/** What became of the migration a cancel stopped: as for a failed one, which COMMIT never made unknown. */
export type InterruptedOutcome = Exclude<FailedMigrationOutcome, 'commit-unknown'>

/** What a cancel left of the migration it stopped, and what to do about it. */
function interruptedReport(interrupted: InterruptedMigration): { stopped: string; advice: string } {
  const { migration, direction } = interrupted
  // Which of its statements ran is not known when the cancel comes, as this error is made.
  const reports: Record<InterruptedOutcome, [fate: string, advice: string]> = {
    'rolled-back': ['; that migration was rolled back.', ''],
    'part-way': [
      '; it ran outside a transaction, so part of it may have taken effect; it is recorded as failed.',
      ` ${repairAdvice(migration)}.`,
    ],
    'ddl-kept': [`. ${keptDdlState(direction, undefined)}`, ` ${keptDdlAdvice(migration, direction, undefined)}`],
  }
  const [fate, advice] = reports[interrupted.outcome]
  return { stopped: ` ${migration.file} was stopped (its running statement cancelled, where the database can cancel one)${fate}`, advice }
}

/** The run was cancelled through its signal; what it completed before stays in place. */
export class AbortedError extends MigError {
  readonly completed: readonly MigrationInfo[]
  readonly interrupted: InterruptedMigration | undefined
  /** Migrations that ran earlier in the same transaction (`transactionMode: 'single'`) and were rolled back with it. */
  readonly undone: readonly MigrationInfo[]

  constructor(options: {
    completed: readonly MigrationInfo[]
    interrupted?: InterruptedMigration
    undone?: readonly MigrationInfo[]
    reason?: unknown
  }) {
    const { completed, interrupted } = options
    const undone = options.undone ?? []
    const { stopped, advice } = interrupted ? interruptedReport(interrupted) : { stopped: '', advice: '' }
    super(
      'MIG_ABORTED',
      `The run was cancelled.${stopped}${
        undone.length
          ? ` The whole run was one transaction, so ${list(undone)}, run before that in it, ${undone.length > 1 ? 'were' : 'was'} rolled back too.`
          : ''
      } ${completed.length ? `Completed before that: ${list(completed)}.` : 'Nothing else was changed.'}${advice}`,
      { cause: options.reason },
    )
    this.completed = completed
    this.interrupted = interrupted
    this.undone = undone
  }

  override toJSON() {
    return {
      ...super.toJSON(),
      completed: this.completed.map(migrationJson),
      interrupted: this.interrupted
        ? {
            ...migrationJson(this.interrupted.migration),
            rolledBack: this.interrupted.rolledBack,
            outcome: this.interrupted.outcome,
          }
        : null,
      undone: this.undone.map(migrationJson),
    }
  }
}

/** A migration's table lock timeout on every attempt: what to do about the session that holds the lock. */
export function gaveUpWaiting(error: DatabaseError, attempts: number, stopping = false): DatabaseError {
  return new DatabaseError(
    `${error.message.includes(`SQLSTATE ${error.sqlState}`) ? error.message : `${error.message} (SQLSTATE ${error.sqlState})`}, on ${attempts === 1 ? 'its first attempt' : `each of ${attempts} attempts`}${stopping ? ', not tried again as the run was asked to stop' : ''}. Another session holds a lock on a table this migration changes: ` +
      'end that transaction, or give the file a longer "-- mig:lock-timeout".',
    { sqlState: error.sqlState, detail: error.detail, hint: error.hint, position: error.position, cause: error },
  )
}
