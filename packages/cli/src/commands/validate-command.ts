import type { Command } from '../command-context.js'
import { plural } from '../format.js'
import { withMigrator } from '../with-migrator.js'

export const validateCommand: Command = async (context) => {
  if (context.flags.fleet) return (await import('../fleet-command.js')).runFleetCommand(context, 'validate')
  return withMigrator(context, { loadsCode: true, reportsProgress: false, access: 'read-only' }, async (migrator) => {
    const { applied, pending } = await migrator.validate()
    context.output.line(
      context.output.colours.green(
        `Valid: ${plural(applied, 'applied migration')} match their files; ${plural(pending, 'pending migration')} load.`,
      ),
    )
    return { document: { valid: true, applied, pending } }
  })
}
