import { constants } from 'node:os'
import { CliError } from './cli-error.js'

/** The documented exit codes of `mig` (see docs/cli.md). They never change meaning. */
export const ExitCode = {
  success: 0,
  /** A migration failed (or a rollback hit an irreversible migration), the run lost its lock or its connection mid-run, lint found errors, or an unexpected error. */
  migrationFailed: 1,
  /** `mig drift` found differences, or `mig test` found a migration whose down does not undo its up. */
  checkFailed: 1,
  /** Bad flags, bad config, bad URL, missing dialect package, malformed migration files. */
  usageOrConfig: 2,
  /** History and files disagree (checksum, missing or replaced file, out of order, failed part-way, unreadable row), mig.sum does not match the folder, or baseline found a different schema. */
  validationFailed: 3,
  /** Another run held the migration lock for longer than the lock timeout. */
  lockTimeout: 4,
  /** `mig status --exit-code` found pending migrations. */
  pending: 5,
  /** The database could not be reached, or refused a statement mig itself sent. */
  databaseError: 6,
  /** `mig wait` gave up: the database did not accept connections within its timeout. */
  waitTimeout: 7,
  /** Interrupted by SIGINT (Ctrl-C); the lock was released and finished migrations stay applied. */
  interrupted: 130,
  /** Stopped by SIGTERM (Kubernetes, systemd), likewise. SIGHUP gives 129. */
  terminated: 143,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode] | 129

const exitCodeByErrorCode: Record<string, ExitCodeValue> = {
  MIG_USAGE: ExitCode.usageOrConfig,
  MIG_CONFIG: ExitCode.usageOrConfig,
  MIG_DIALECT_MISSING: ExitCode.usageOrConfig,
  MIG_FILE_EXISTS: ExitCode.usageOrConfig,
  MIG_FILE_ACCESS: ExitCode.usageOrConfig,
  MIG_TYPESCRIPT_MISSING: ExitCode.usageOrConfig,
  MIG_WAIT_TIMEOUT: ExitCode.waitTimeout,
  MIG_INVALID_OPTIONS: ExitCode.usageOrConfig,
  MIG_UNSUPPORTED: ExitCode.usageOrConfig,
  MIG_BASELINE_REFUSED: ExitCode.usageOrConfig,
  MIG_REPAIR_REFUSED: ExitCode.usageOrConfig,
  MIG_RENUMBER_REFUSED: ExitCode.usageOrConfig,
  MIG_SCHEMA_CONVERSION: ExitCode.usageOrConfig,
  MIG_UNKNOWN_VERSION: ExitCode.usageOrConfig,
  MIG_INVALID_FILENAME: ExitCode.usageOrConfig,
  MIG_DUPLICATE_VERSION: ExitCode.usageOrConfig,
  MIG_INVALID_MIGRATION: ExitCode.usageOrConfig,
  MIG_UNKNOWN_PLACEHOLDER: ExitCode.usageOrConfig,
  MIG_CHECKSUM_MISMATCH: ExitCode.validationFailed,
  MIG_MISSING_MIGRATION: ExitCode.validationFailed,
  MIG_REPLACED_MIGRATION: ExitCode.validationFailed,
  MIG_UNREADABLE_HISTORY: ExitCode.validationFailed,
  MIG_OUT_OF_ORDER: ExitCode.validationFailed,
  MIG_PARTIAL_MIGRATION: ExitCode.validationFailed,
  MIG_SCHEMA_MISMATCH: ExitCode.validationFailed,
  MIG_SUM_MISMATCH: ExitCode.validationFailed,
  MIG_MIGRATION_FAILED: ExitCode.migrationFailed,
  MIG_LINT_FAILED: ExitCode.migrationFailed,
  MIG_IRREVERSIBLE: ExitCode.migrationFailed,
  MIG_LOCK_TIMEOUT: ExitCode.lockTimeout,
  MIG_LOCK_LOST: ExitCode.migrationFailed,
  MIG_CONNECTION_LOST: ExitCode.migrationFailed,
  MIG_DATABASE_ERROR: ExitCode.databaseError,
  MIG_ABORTED: ExitCode.interrupted,
}

/** The code an error is reported under: core's and the CLI's own, or `MIG_UNEXPECTED`. */
export function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  if (error instanceof CliError) return error.code
  if (typeof code === 'string' && code in exitCodeByErrorCode) return code
  return 'MIG_UNEXPECTED'
}

/** The exit code for an error; a run stopped by a signal exits as {@link interruptedExitCode} says. */
export function exitCodeFor(error: unknown, stop?: AbortSignal): ExitCodeValue {
  const code = exitCodeByErrorCode[errorCodeOf(error)] ?? ExitCode.migrationFailed
  return code === ExitCode.interrupted && stop !== undefined ? interruptedExitCode(stop) : code
}

/**
 * The exit code of a run that `stop` stopped: 128 + the number of the signal in its reason (as
 * bin.ts aborts it, `{ signal: 'SIGTERM' }`), as a shell reports it: 130, 143 or 129. 130 when
 * the reason names no signal.
 */
export function interruptedExitCode(stop: AbortSignal): ExitCodeValue {
  const signal = (stop.reason as { signal?: NodeJS.Signals } | undefined)?.signal
  return signal === undefined ? ExitCode.interrupted : ((128 + (constants.signals[signal] ?? 2)) as ExitCodeValue)
}
