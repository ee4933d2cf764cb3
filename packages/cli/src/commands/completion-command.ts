import { usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { completionScript, SHELLS, type Shell } from '../shell-completion.js'

export const completionCommand: Command = async ({ positionals, output }) => {
  const shell = positionals[0]
  if (!SHELLS.includes(shell as Shell)) {
    throw usageError(`mig completion needs the shell: mig completion ${SHELLS.join(' | ')}.`)
  }
  const script = completionScript(shell as Shell)
  // The script itself, without a trailing newline of the Output's own.
  output.line(script.trimEnd())
  return { document: { shell, script } }
}
