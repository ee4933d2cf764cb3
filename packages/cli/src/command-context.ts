import type { FlagValues } from './command-line.js'
import type { ExitCodeValue } from './exit-codes.js'
import type { Output } from './output.js'

export interface CommandContext {
  readonly flags: FlagValues
  readonly positionals: readonly string[]
  readonly environment: NodeJS.ProcessEnv
  readonly workingDirectory: string
  readonly output: Output
  /** Aborted on Ctrl-C: a run stops between migrations and releases the lock. */
  readonly signal: AbortSignal
}

export interface CommandResult {
  /** The command's part of the `--json` document; `ok` and `command` are added around it. */
  readonly document: Record<string, unknown>
  /** Default 0. */
  readonly exitCode?: ExitCodeValue
}

export type Command = (context: CommandContext) => Promise<CommandResult>
