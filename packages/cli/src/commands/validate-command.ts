import type { Command } from '../command-context.js'
import { plural } from '../format.js'
import { withMigrator } from '../with-migrator.js'

export const validateCommand: Command = async (context) => {
  if (context.flags.fleet) return (await import('../fleet-command.js')).runFleetCommand(context, 'validate')
  return withMigrator(context, { loadsCode: true, reportsProgress: false, access: 'read-only' }, async (migrator) => {
    const { applied, pending, running } = await migrator.validate({ cancelSignal: context.cancelSignal })
    const inFlight = running ? `; ${plural(running, 'migration')} running now in another run, which holds the lock` : ''
    context.output.line(
      context.output.colours.green(
        `Valid: ${plural(applied, 'applied migration')} ${applied === 1 ? 'matches its file' : 'match their files'}; ${plural(pending, 'pending migration')} load${pending === 1 ? 's' : ''}${inFlight}.`,
      ),
    )
    return { document: { valid: true, applied, pending, running } }
  })
}
