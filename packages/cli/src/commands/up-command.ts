import type { Command } from '../command-context.js'
import { integerFlag, versionFlag } from '../command-line.js'
import { withMigrator } from '../with-migrator.js'
import { plannedToJson, printPlan, printRunSummary, runToJson } from './migration-run-report.js'

export const upCommand: Command = async (context) => {
  const to = versionFlag(context.flags, 'to', { minimum: 1 })
  const step = integerFlag(context.flags, 'step', { minimum: 1 })
  const access = context.flags['dry-run'] ? 'read-only' : 'read-write'
  return withMigrator(context, { loadsCode: true, access }, async (migrator) => {
    if (context.flags['dry-run']) {
      const plan = await migrator.plan({ direction: 'up', to, step })
      printPlan(context.output, plan, 'up')
      return { document: { dryRun: true, direction: 'up', migrations: plan.map(plannedToJson) } }
    }
    const result = await migrator.up({ to, step, signal: context.signal })
    printRunSummary(context.output, result)
    return { document: { dryRun: false, ...runToJson(result) } }
  })
}
