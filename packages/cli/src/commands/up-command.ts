import type { Command } from '../command-context.js'
import { integerFlag } from '../command-line.js'
import { openMigrator } from '../open-migrator.js'
import { ProgressReporter } from '../progress-reporter.js'
import { dumpAfterRun } from '../schema-file.js'
import { resolveSettings } from '../settings.js'
import { plannedToJson, printPlan, printRunSummary, runToJson } from './migration-run-report.js'

export const upCommand: Command = async ({ flags, environment, workingDirectory, output, signal }) => {
  const to = integerFlag(flags, 'to', { minimum: 1 })
  const step = integerFlag(flags, 'step', { minimum: 1 })
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const { migrator } = await openMigrator(settings, output, { loadsCode: true })
  if (flags['dry-run']) {
    const plan = await migrator.plan({ direction: 'up', to, step })
    printPlan(output, plan, 'up')
    return { document: { dryRun: true, direction: 'up', migrations: plan.map(plannedToJson) } }
  }
  const reporter = new ProgressReporter(migrator, output).attach()
  try {
    const result = await migrator.up({ to, step, signal })
    printRunSummary(output, result)
    await dumpAfterRun(migrator, settings, output, [result], workingDirectory)
    return { document: { dryRun: false, ...runToJson(result) } }
  } finally {
    reporter.detach()
  }
}
