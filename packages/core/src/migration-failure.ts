import type { DialectText, Driver, SqlStatement } from './driver.js'
import { DatabaseError, MigError } from './errors.js'
import type { MigrationInfo, MigrationStep, SqlStep } from './migration.js'
import { sqlOfFailedCall } from './migration-context.js'
import {
  type FilePosition,
  type InterruptedMigration,
  MigrationFailedError,
  type MigrationFailedErrorOptions,
  type MigrationStage,
} from './run-errors.js'
import { escapeRegExp } from './schema-order.js'

export interface FailureOptions {
  readonly error: unknown
  readonly migration: MigrationInfo
  readonly direction: 'up' | 'down'
  readonly step: MigrationStep
  /** What the run completed before; stays in place. */
  readonly completed: readonly MigrationInfo[]
  /** What ran before it in the same transaction (`transactionMode: 'single'`), rolled back with it. */
  readonly undone?: readonly MigrationInfo[]
  readonly rolledBack: boolean
  readonly outcome?: MigrationFailedErrorOptions['outcome']
  /** The statement that failed, when the migration ran statement by statement. */
  readonly statement?: SqlStatement
  /** `history`: the migration ran to the end, and the write of its history row failed. */
  readonly stage?: MigrationStage
  readonly text: DialectText
  /** The SQL the migration's code sent through its context, in order: with `ddl-kept`, named as run. */
  readonly sent?: readonly string[]
}

/**
 * How a migration that ran in mig's transaction is reported once that rolled back: on a driver
 * whose DDL commits at once, what its statements changed may have stayed (`ddl-kept`).
 */
export function rolledBackOn(driver: Driver): Pick<FailureOptions, 'rolledBack' | 'outcome'> {
  return driver.capabilities.transactionalDdl ? { rolledBack: true } : { rolledBack: false, outcome: 'ddl-kept' }
}

/** The migration a cancel stops, and what the database holds of it then. */
export function interruptedMigration(
  migration: MigrationInfo,
  direction: 'up' | 'down',
  transaction: boolean,
  driver: Driver,
): InterruptedMigration {
  if (!transaction) return { migration, direction, rolledBack: false, outcome: 'part-way' }
  const { rolledBack } = rolledBackOn(driver)
  return { migration, direction, rolledBack, outcome: rolledBack ? 'rolled-back' : 'ddl-kept' }
}

/**
 * What a failed migration is reported as: mig's own errors pass through; anything else becomes
 * a {@link MigrationFailedError} naming the file, line, column and statement when they are known.
 */
export function migrationFailure(options: FailureOptions): MigError {
  const { error, step, statement } = options
  if (error instanceof MigError && !(error instanceof DatabaseError)) return error
  const { migration, direction, completed } = options
  const statementsRun = options.outcome === 'ddl-kept' ? statementsRunBefore(options) : undefined
  // Nothing ran before the failing statement: nothing stayed, and the rollback undid it all.
  const rolledBack = options.rolledBack || statementsRun?.length === 0
  const outcome = statementsRun?.length === 0 ? undefined : options.outcome
  const failed = { migration, direction, completed, undone: options.undone ?? [], rolledBack, outcome, statementsRun, cause: error }
  // No statement of the migration's own failed: a position would name one.
  if (options.stage === 'history') return new MigrationFailedError({ ...failed, stage: 'history' })
  if (step.kind !== 'sql') {
    return new MigrationFailedError({ ...failed, position: positionInCode(error, migration.file), statement: statement?.text })
  }
  const offset =
    error instanceof DatabaseError && error.position !== undefined ? (statement?.offset ?? 0) + error.position : statement?.offset
  if (offset === undefined) return new MigrationFailedError(failed)
  return new MigrationFailedError({
    ...failed,
    position: positionInStep(step, offset),
    statement: statement?.text ?? statementAt(options.text, step.sql, offset),
  })
}

/**
 * Where in a code migration's own file an error came from: the first frame of its stack in that
 * file. The line the user wrote is there for an error thrown in the migration, for one thrown
 * synchronously under a `context` call (SQLite) and, through Node's async stack traces, for one
 * a call that the migration awaited rejected with (PostgreSQL). tsx maps a `.ts` file's frames
 * back to its source lines. Undefined when the stack does not show the file (a `fromList`
 * migration bundled with the application, a value thrown that is not an Error).
 */
export function positionInCode(error: unknown, file: string): FilePosition | undefined {
  const stack = (error as { stack?: unknown } | undefined)?.stack
  if (typeof stack !== 'string') return undefined
  const name = escapeRegExp(file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1))
  // `…/0003_backfill.ts:7:29`, as a path or a file: URL, maybe with a loader's `?query`, maybe in parentheses.
  const frame = new RegExp(`[/\\\\]${name}(?:\\?[^\\s:)]*)?:(\\d+):(\\d+)\\)?$`)
  for (const line of stack.split('\n')) {
    const found = /^\s+at /.test(line) ? frame.exec(line.trimEnd()) : null
    if (found) return { line: Number(found[1]), column: Number(found[2]) }
  }
  return undefined
}

/** The 1-based line of the migration file on which an offset into a section's SQL stands. */
export function lineInStep(step: SqlStep, offset: number): number {
  return positionInStep(step, offset).line
}

/** Turns an offset into a section's SQL into a line and column of the migration file. */
function positionInStep(step: SqlStep, offset: number): FilePosition {
  const [sql, at] = step.written ? [step.written.sql, step.written.offsetOf(offset)] : [step.sql, offset]
  const before = sql.slice(0, Math.max(0, Math.min(at, sql.length)))
  let lines = 0
  for (let index = before.indexOf('\n'); index !== -1; index = before.indexOf('\n', index + 1)) lines++
  return { line: step.line + lines, column: at - before.lastIndexOf('\n') }
}

/** The statement of a script that contains the offset. */
function statementAt(text: DialectText, sql: string, offset: number): string | undefined {
  return statementsTo(text, sql, offset).at(-1)?.text
}

/** The statements of a script up to the one that contains the offset, that one included. */
function statementsTo(text: DialectText, sql: string, offset: number): SqlStatement[] {
  const statements = text.splitStatements(sql)
  const after = statements.findIndex((statement) => statement.offset > offset)
  return after === -1 ? statements : statements.slice(0, after)
}

/**
 * The statements of a migration that ran in mig's transaction before it failed: all of a SQL
 * section that ran to the end (its history write failed), those before the failing statement,
 * or the SQL a code migration sent but the call that failed. Undefined when mig cannot tell.
 */
function statementsRunBefore(options: FailureOptions): readonly string[] | undefined {
  const { step, error, text } = options
  if (step.kind === 'code') {
    const sent = options.sent ?? []
    return sqlOfFailedCall(error) === undefined ? sent : sent.slice(0, -1)
  }
  if (options.stage === 'history') return text.splitStatements(step.sql).map((statement) => statement.text)
  if (!(error instanceof DatabaseError) || error.position === undefined) return undefined
  return statementsTo(text, step.sql, error.position)
    .slice(0, -1)
    .map((statement) => statement.text)
}
