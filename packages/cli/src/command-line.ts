import { type ParseArgsConfig, parseArgs } from 'node:util'
import { usageError } from './cli-error.js'
import { COMMANDS, type CommandDefinition, findCommand, globalOptionsOf } from './command-definitions.js'
import { closestMatch, didYouMean } from './did-you-mean.js'
import { FLEET_OPTIONS, withoutFleet } from './fleet-option-definitions.js'
import { GLOBAL_OPTIONS, type OptionDefinition } from './option-definitions.js'

export type FlagValues = Readonly<Record<string, string | boolean | undefined>>

export interface CommandLine {
  /** Undefined when no command was given (`mig`, `mig --version`). */
  readonly command: CommandDefinition | undefined
  readonly positionals: readonly string[]
  readonly flags: FlagValues
}

/** The command a command line names, and the positional arguments after it. */
export interface NamedCommand {
  readonly command: CommandDefinition | undefined
  readonly positionals: readonly string[]
}

/**
 * Global options may stand before or after the command name, so a lenient pass over every known
 * option finds the command (`--url x up` does not take `x` for it). A mistyped command is
 * answered with the closest one that exists.
 */
export function findNamedCommand(argv: readonly string[]): NamedCommand {
  const everyOption = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((command) => command.options))
  const lenient = parseArgs({ args: [...argv], options: toParseArgsOptions(everyOption), strict: false, allowPositionals: true })
  const [name, ...positionals] = lenient.positionals
  const command = name === undefined ? undefined : findCommand(name)
  if (name !== undefined && !command) throw usageError(unknownCommand(name))
  return { command, positionals }
}

/** A subcommand the command does not have is answered with the closest one that exists. */
export function refuseUnknownSubcommand(command: CommandDefinition, subcommand: string | undefined): void {
  if (command.subcommands && subcommand !== undefined && !command.subcommands.includes(subcommand)) {
    throw usageError(
      `mig ${command.name} has no "${subcommand}".${didYouMean(subcommand, command.subcommands)} Usage: mig ${command.usage}`,
    )
  }
}

/**
 * The command line of the command {@link findNamedCommand} found: a strict pass accepts only the
 * command's own options and the global options it reads. A mistyped subcommand or option is
 * answered with the closest one that exists.
 */
export function parseCommandLine(argv: readonly string[], named: NamedCommand = findNamedCommand(argv)): CommandLine {
  const { command, positionals } = named
  const options = optionsOf(command)
  let strict: ReturnType<typeof parseArgs>
  try {
    strict = parseArgs({ args: [...argv], options: toParseArgsOptions(options), strict: true, allowPositionals: true })
  } catch (error) {
    throw usageError(describeParseError(error, command, options))
  }
  if (command && positionals.length > command.maxPositionals) {
    throw usageError(`Unexpected argument "${positionals[command.maxPositionals]}". Usage: mig ${command.usage}`)
  }
  if (command) refuseUnknownSubcommand(command, positionals[0])
  if (!command && positionals.length) throw usageError(`Unexpected argument "${positionals[0]}".`)
  refuseFleetOptionsWithoutFleet(strict.values as FlagValues)
  return { command, positionals, flags: strict.values as FlagValues }
}

/** A fleet option without `--fleet` would be ignored, and the run would take one database only. */
function refuseFleetOptionsWithoutFleet(flags: FlagValues): void {
  if (flags.fleet) return
  const stray = Object.keys(FLEET_OPTIONS).find((name) => name !== 'fleet' && flags[name] !== undefined)
  if (stray) throw usageError(`--${stray} works only with --fleet: add --fleet to run on every target, or leave --${stray} out.`)
}

/** `Unknown command "stauts". Did you mean status? Commands: …`, for a command that does not exist. */
export function unknownCommand(name: string): string {
  const names = COMMANDS.map((known) => known.name)
  return `Unknown command "${name}".${didYouMean(name, names)} Commands: ${names.join(', ')}. Run mig help for details.`
}

/** The options a command accepts: its own, the global ones it reads, and those every command takes. Without a command, every global option. */
export function optionsOf(command: CommandDefinition | undefined): Readonly<Record<string, OptionDefinition>> {
  return command ? { ...globalOptionsOf(command), ...command.options } : GLOBAL_OPTIONS
}

function toParseArgsOptions(options: Readonly<Record<string, OptionDefinition>>): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => [
      name,
      option.short ? { type: option.type, short: option.short } : { type: option.type },
    ]),
  )
}

function describeParseError(
  error: unknown,
  command: CommandDefinition | undefined,
  options: Readonly<Record<string, OptionDefinition>>,
): string {
  const code = (error as { code?: string }).code
  const message = (error as Error).message
  const help = command ? `Run mig help ${command.name} for its options.` : 'Run mig help for the options.'
  const option = /'(-[^' ]+)/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option === '--fleet' && command) return withoutFleet(command.name)
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) {
    const match = option.startsWith('--') ? closestMatch(option.slice(2), Object.keys(options)) : undefined
    const suggestion = match === undefined ? '' : ` Did you mean --${match}?`
    return `${command ? `mig ${command.name}` : 'mig'} has no option ${option}.${suggestion} ${help}`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/argument missing/.test(message)) return `${option} needs a value. ${help}`
    // parseArgs reads a value starting with a dash (`--step -1`) as another option.
    if (/argument is ambiguous/.test(message))
      return `${option} was given a value starting with "-"; write it as ${option}=<value>. ${help}`
    return `${option} takes no value. ${help}`
  }
  return `${message} ${help}`
}

/** A flag's value as a whole number, or undefined when the flag was not given. */
export function integerFlag(flags: FlagValues, name: string, { minimum }: { minimum: number }): number | undefined {
  const value = flags[name]
  if (value === undefined) return undefined
  const text = String(value).trim()
  const number = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(number) || number < minimum) {
    throw usageError(`--${name} needs a whole number${minimum > 0 ? ` of at least ${minimum}` : ''}, not "${value}".`)
  }
  return number
}

/** A migration version of any length: a bigint, which core turns into its one form. */
export function versionFlag(flags: FlagValues, name: string, { minimum }: { minimum: 0 | 1 }): bigint | undefined {
  const value = flags[name]
  if (value === undefined) return undefined
  const text = String(value).trim()
  if (!/^\d+$/.test(text) || BigInt(text) < BigInt(minimum)) {
    throw usageError(`--${name} needs a migration version${minimum > 0 ? '' : ' (or 0)'}, not "${value}".`)
  }
  return BigInt(text)
}

export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const value = flags[name]
  return typeof value === 'string' ? value : undefined
}
