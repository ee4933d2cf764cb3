import { usageError } from '../cli-error.js'
import { NO_COLOURS } from '../colours.js'
import type { Command } from '../command-context.js'
import { findCommand } from '../command-definitions.js'
import { refuseUnknownSubcommand, unknownCommand } from '../command-line.js'
import { commandHelp, generalHelp } from '../help-text.js'

export const helpCommand: Command = async ({ positionals, output }) => {
  const name = positionals[0]
  if (name === undefined) {
    output.line(generalHelp(output.colours))
    return { document: { topic: null, text: generalHelp(NO_COLOURS) } }
  }
  const command = findCommand(name)
  if (!command) throw usageError(unknownCommand(name))
  // `mig help db create` is the help of db, as `mig db create --help` is.
  const subcommand = positionals[1]
  if (subcommand !== undefined && !command.subcommands) throw usageError(`mig ${name} has no subcommands. Usage: mig help ${name}`)
  refuseUnknownSubcommand(command, subcommand)
  output.line(commandHelp(command, output.colours))
  return { document: { topic: name, text: commandHelp(command, NO_COLOURS) } }
}
