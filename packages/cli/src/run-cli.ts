import { Redactor } from '@mig/core'
import { usageError } from './cli-error.js'
import { ANSI_COLOURS, NO_COLOURS, wantsColour } from './colours.js'
import type { Command } from './command-context.js'
import { type CommandName, findCommand } from './command-definitions.js'
import { findNamedCommand, parseCommandLine } from './command-line.js'
import { withEnvFile } from './env-file.js'
import { reportError, withNextStep } from './error-report.js'
import { ExitCode, exitCodeFor } from './exit-codes.js'
import { generalHelp } from './help-text.js'
import { Output, type WritableText } from './output.js'
import { URL_VARIABLES } from './settings.js'

export interface CliOptions {
  readonly argv: readonly string[]
  readonly environment: NodeJS.ProcessEnv
  readonly workingDirectory: string
  readonly stdout: WritableText
  readonly stderr: WritableText
  /** Aborted on the first signal; its reason may be `{ signal: 'SIGTERM' }`, which sets the exit code. */
  readonly signal: AbortSignal
  /** Aborted on the second signal: cancel what runs now. */
  readonly cancelSignal?: AbortSignal
}

/** Commands are imported when run, so a command loads only what it uses. */
const COMMAND_LOADERS: Record<CommandName, () => Promise<Command>> = {
  init: async () => (await import('./commands/init-command.js')).initCommand,
  create: async () => (await import('./commands/create-command.js')).createCommand,
  up: async () => (await import('./commands/up-command.js')).upCommand,
  plan: async () => (await import('./commands/plan-command.js')).planCommand,
  down: async () => (await import('./commands/down-command.js')).downCommand,
  redo: async () => (await import('./commands/redo-command.js')).redoCommand,
  status: async () => (await import('./commands/status-command.js')).statusCommand,
  validate: async () => (await import('./commands/validate-command.js')).validateCommand,
  baseline: async () => (await import('./commands/baseline-command.js')).baselineCommand,
  repair: async () => (await import('./commands/repair-command.js')).repairCommand,
  renumber: async () => (await import('./commands/renumber-command.js')).renumberCommand,
  hash: async () => (await import('./commands/hash-command.js')).hashCommand,
  lint: async () => (await import('./commands/lint-command.js')).lintCommand,
  wait: async () => (await import('./commands/wait-command.js')).waitCommand,
  db: async () => (await import('./commands/db-command.js')).dbCommand,
  completion: async () => (await import('./commands/completion-command.js')).completionCommand,
  version: async () => (await import('./commands/version-command.js')).versionCommand,
  dump: async () => (await import('./commands/dump-command.js')).dumpCommand,
  drift: async () => (await import('./commands/drift-command.js')).driftCommand,
  test: async () => (await import('./commands/test-command.js')).testCommand,
  help: async () => (await import('./commands/help-command.js')).helpCommand,
}

/** Runs one `mig` invocation and returns its exit code. Never throws. */
export async function runCli(options: CliOptions): Promise<number> {
  const { argv, environment, stdout, stderr } = options
  const redactor = new Redactor()
  // Before anything can fail: a password given on the command line or in the environment is
  // scrubbed from every message, even one about a URL that does not parse.
  for (const value of [...argv, ...URL_VARIABLES.map((name) => environment[name])]) if (value) redactor.addUrl(value)
  const json = argv.includes('--json')
  const noColorFlag = argv.includes('--no-color')
  const output = new Output({
    format: json ? 'json' : 'human',
    stdout,
    stderr,
    colours: !json && wantsColour(stdout, environment, noColorFlag) ? ANSI_COLOURS : NO_COLOURS,
    errorColours: wantsColour(stderr, environment, noColorFlag) ? ANSI_COLOURS : NO_COLOURS,
    redactor,
  })

  // Known as soon as the command is, so that an error in its options still names it.
  let commandName: CommandName | undefined
  try {
    const named = findNamedCommand(argv)
    commandName = named.command?.name
    const commandLine = parseCommandLine(argv, named)
    const { command, flags } = commandLine
    const name: CommandName | undefined = flags.version ? 'version' : flags.help ? 'help' : command?.name
    if (!name) {
      if (json) throw usageError('No command given. Run mig help for the list of commands.')
      output.note(generalHelp(output.errorColours))
      return ExitCode.usageOrConfig
    }
    // `mig up --help` is `mig help up`; `mig help --help` is help on help, `mig help up --help` on up.
    const helpOnCommand = flags.help && command && (command.name !== 'help' || !commandLine.positionals.length)
    const positionals = helpOnCommand ? [command.name] : commandLine.positionals
    // Only a command that reads variables reads .env, so a broken one never hides help or the version.
    const readsVariables = findCommand(name)?.globalOptions.includes('env-file')
    const commandEnvironment = readsVariables ? withEnvFile(flags, environment, options.workingDirectory) : environment
    for (const value of URL_VARIABLES.map((name) => commandEnvironment[name])) if (value) redactor.addUrl(value)
    const run = await COMMAND_LOADERS[name]()
    const result = await run({
      flags,
      positionals,
      environment: commandEnvironment,
      workingDirectory: options.workingDirectory,
      output,
      signal: options.signal,
      cancelSignal: options.cancelSignal ?? new AbortController().signal,
    })
    if (json) output.json({ ok: true, command: name, ...result.document })
    return result.exitCode ?? ExitCode.success
  } catch (thrown) {
    const error = withNextStep(thrown)
    reportError(output, commandName, error)
    return exitCodeFor(error, options.signal)
  } finally {
    output.flush()
  }
}
