import type { Command } from '../command-context.js'
import { plural } from '../format.js'
import { openMigrator } from '../open-migrator.js'
import { resolveSettings } from '../settings.js'

export const validateCommand: Command = async ({ flags, environment, workingDirectory, output }) => {
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const { migrator } = await openMigrator(settings, output, { loadsCode: true })
  const { applied, pending } = await migrator.validate()
  output.line(
    output.colours.green(`Valid: ${plural(applied, 'applied migration')} match their files; ${plural(pending, 'pending migration')} load.`),
  )
  return { document: { valid: true, applied, pending } }
}
