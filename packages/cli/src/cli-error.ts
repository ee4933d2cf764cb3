/**
 * Codes of the errors the CLI itself raises, beside @mig/core's `MIG_*` codes. Like core's,
 * a code never changes meaning once released.
 */
export type CliErrorCode =
  /** A flag, argument or command that does not exist or has a bad value. */
  | 'MIG_USAGE'
  /** A config file that cannot be loaded, an unknown config key, no database URL, a bad URL. */
  | 'MIG_CONFIG'
  /** The URL needs a dialect package (or its client library) that is not installed. */
  | 'MIG_DIALECT_MISSING'
  /** `mig init` or `mig create` would overwrite a file. */
  | 'MIG_FILE_EXISTS'
  /** A TypeScript config or migration needs tsx, which is not installed. */
  | 'MIG_TYPESCRIPT_MISSING'
  /** `mig wait` gave up: the database did not accept connections within its timeout. */
  | 'MIG_WAIT_TIMEOUT'
  /** A file or folder mig had to write (or read) refused it: permissions, a read-only or full file system. */
  | 'MIG_FILE_ACCESS'

/** An error the CLI raises before or around a Migrator call; its message names the fix. */
export class CliError extends Error {
  readonly code: CliErrorCode

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'CliError'
  }
}

export function usageError(message: string): CliError {
  return new CliError('MIG_USAGE', message)
}

export function configError(message: string, cause?: unknown): CliError {
  return new CliError('MIG_CONFIG', message, { cause })
}

/** `mig wait` gave up: the database did not accept connections within `--timeout`. */
export class WaitTimeoutError extends CliError {
  readonly database: string
  readonly timeoutSeconds: number
  readonly lastError: string

  /** `database` is the URL with its password masked. */
  constructor(options: { database: string; timeoutSeconds: number; lastError: string }) {
    super(
      'MIG_WAIT_TIMEOUT',
      `${options.database} did not accept connections within ${options.timeoutSeconds} s. The last attempt said: ${options.lastError.replace(/\.?$/, '.')} ` +
        'Check that the database is starting and reachable from here, or give it longer with --timeout.',
    )
    this.name = 'WaitTimeoutError'
    this.database = options.database
    this.timeoutSeconds = options.timeoutSeconds
    this.lastError = options.lastError
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      database: this.database,
      timeoutSeconds: this.timeoutSeconds,
      lastError: this.lastError,
    }
  }
}
