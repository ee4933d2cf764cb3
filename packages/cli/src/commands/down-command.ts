import type { Command } from '../command-context.js'
import { integerFlag } from '../command-line.js'
import { withMigrator } from '../with-migrator.js'
import { plannedToJson, printPlan, printRunSummary, runToJson } from './migration-run-report.js'

export const downCommand: Command = async (context) => {
  const to = integerFlag(context.flags, 'to', { minimum: 0 })
  const step = integerFlag(context.flags, 'step', { minimum: 1 })
  const all = context.flags.all === true ? true : undefined
  return withMigrator(context, { loadsCode: true }, async (migrator) => {
    if (context.flags['dry-run']) {
      const plan = await migrator.plan({ direction: 'down', to, step, all })
      printPlan(context.output, plan, 'down')
      return { document: { dryRun: true, direction: 'down', migrations: plan.map(plannedToJson) } }
    }
    const result = await migrator.down({ to, step, all, signal: context.signal, cancelSignal: context.cancelSignal })
    printRunSummary(context.output, result)
    return { document: { dryRun: false, ...runToJson(result) } }
  })
}
