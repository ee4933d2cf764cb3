import { usageError } from '../cli-error.js'
import { NO_COLOURS } from '../colours.js'
import type { Command } from '../command-context.js'
import { findCommand } from '../command-definitions.js'
import { unknownCommand } from '../command-line.js'
import { commandHelp, generalHelp } from '../help-text.js'

export const helpCommand: Command = async ({ positionals, output }) => {
  const name = positionals[0]
  if (name === undefined) {
    output.line(generalHelp(output.colours))
    return { document: { topic: null, text: generalHelp(NO_COLOURS) } }
  }
  const command = findCommand(name)
  if (!command) throw usageError(unknownCommand(name))
  output.line(commandHelp(command, output.colours))
  return { document: { topic: name, text: commandHelp(command, NO_COLOURS) } }
}
