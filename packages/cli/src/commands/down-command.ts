import type { Command } from '../command-context.js'
import { integerFlag } from '../command-line.js'
import { openMigrator } from '../open-migrator.js'
import { ProgressReporter } from '../progress-reporter.js'
import { dumpAfterRun } from '../schema-file.js'
import { resolveSettings } from '../settings.js'
import { plannedToJson, printPlan, printRunSummary, runToJson } from './migration-run-report.js'

export const downCommand: Command = async ({ flags, environment, workingDirectory, output, signal }) => {
  const to = integerFlag(flags, 'to', { minimum: 0 })
  const step = integerFlag(flags, 'step', { minimum: 1 })
  const all = flags.all === true ? true : undefined
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const { migrator } = await openMigrator(settings, output, { loadsCode: true })
  if (flags['dry-run']) {
    const plan = await migrator.plan({ direction: 'down', to, step, all })
    printPlan(output, plan, 'down')
    return { document: { dryRun: true, direction: 'down', migrations: plan.map(plannedToJson) } }
  }
  const reporter = new ProgressReporter(migrator, output).attach()
  try {
    const result = await migrator.down({ to, step, all, signal })
    printRunSummary(output, result)
    await dumpAfterRun(migrator, settings, output, [result], workingDirectory)
    return { document: { dryRun: false, ...runToJson(result) } }
  } finally {
    reporter.detach()
  }
}
