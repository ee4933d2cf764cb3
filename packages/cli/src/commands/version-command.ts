import type { Command } from '../command-context.js'
import { cliVersion } from '../version.js'

/** `mig version`, and `mig --version` with any command. */
export const versionCommand: Command = async ({ output }) => {
  const version = cliVersion()
  output.line(version)
  return { document: { version } }
}
