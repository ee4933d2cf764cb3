import type { Command } from '../command-context.js'
import { integerFlag } from '../command-line.js'
import { withMigrator } from '../with-migrator.js'
import { plannedToJson, printPlan, printRunSummary, runToJson } from './migration-run-report.js'

export const upCommand: Command = async (context) => {
  const to = integerFlag(context.flags, 'to', { minimum: 1 })
  const step = integerFlag(context.flags, 'step', { minimum: 1 })
  return withMigrator(context, { loadsCode: true }, async (migrator) => {
    if (context.flags['dry-run']) {
      const plan = await migrator.plan({ direction: 'up', to, step })
      printPlan(context.output, plan, 'up')
      return { document: { dryRun: true, direction: 'up', migrations: plan.map(plannedToJson) } }
    }
    const result = await migrator.up({ to, step, signal: context.signal, cancelSignal: context.cancelSignal })
    printRunSummary(context.output, result)
    return { document: { dryRun: false, ...runToJson(result) } }
  })
}
