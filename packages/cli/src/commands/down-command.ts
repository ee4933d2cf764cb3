import type { Command } from '../command-context.js'
import { integerFlag, versionFlag } from '../command-line.js'
import { dumpAfterRun } from '../schema-file.js'
import { withMigrator } from '../with-migrator.js'
import { plannedToJson, printDatabase, printPlan, printRunSummary, runToJson } from './migration-run-report.js'

export const downCommand: Command = async (context) => {
  if (context.flags.fleet) return (await import('../fleet-command.js')).runFleetCommand(context, 'down')
  const to = versionFlag(context.flags, 'to', { minimum: 0 })
  const step = integerFlag(context.flags, 'step', { minimum: 1 })
  const all = context.flags.all === true ? true : undefined
  const access = context.flags['dry-run'] ? 'read-only' : 'read-write'
  const verbose = context.flags.verbose === true
  return withMigrator(context, { loadsCode: true, access, verbose }, async (migrator, { settings, database }) => {
    printDatabase(context.output, database)
    if (context.flags['dry-run']) {
      const plan = await migrator.plan({ direction: 'down', to, step, all })
      printPlan(context.output, plan, 'down')
      return { document: { database, dryRun: true, direction: 'down', migrations: plan.map(plannedToJson) } }
    }
    const result = await migrator.down({ to, step, all, signal: context.signal, cancelSignal: context.cancelSignal })
    printRunSummary(context.output, result)
    await dumpAfterRun(migrator, settings, context.output, [result], context.workingDirectory)
    return { document: { database, dryRun: false, ...runToJson(result) } }
  })
}
