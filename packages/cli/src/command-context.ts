import type { FlagValues } from './command-line.js'
import type { ExitCodeValue } from './exit-codes.js'
import type { Output } from './output.js'

export interface CommandContext {
  readonly flags: FlagValues
  readonly positionals: readonly string[]
  readonly environment: NodeJS.ProcessEnv
  readonly workingDirectory: string
  readonly output: Output
  /** Aborted on the first Ctrl-C, SIGTERM or SIGHUP: a run stops once its current migration is done, and releases the lock. */
  readonly signal: AbortSignal
  /** Aborted on the second: the running statement is cancelled on the server and its migration rolled back. */
  readonly cancelSignal: AbortSignal
}

export interface CommandResult {
  /** The command's part of the `--json` document; `ok` and `command` are added around it. */
  readonly document: Record<string, unknown>
  /** Default 0. */
  readonly exitCode?: ExitCodeValue
}

export type Command = (context: CommandContext) => Promise<CommandResult>
