import type { Command } from '../command-context.js'
import { integerFlag, versionFlag } from '../command-line.js'
import { dumpAfterFailure, dumpAfterRun } from '../schema-file.js'
import { withMigrator } from '../with-migrator.js'
import { lintPlan, lintsBeforeUp, refuseLintErrors, showFindings } from './lint-plan.js'
import { printDatabase, printRunSummary, runToJson, withLockWait } from './migration-run-report.js'
import { planCommand } from './plan-command.js'

export const upCommand: Command = async (context) => {
  if (context.flags.fleet) return (await import('../fleet-command.js')).runFleetCommand(context, 'up')
  if (context.flags['dry-run']) return planCommand(context)
  const { flags, output } = context
  const to = versionFlag(flags, 'to', { minimum: 1 })
  const step = integerFlag(flags, 'step', { minimum: 1 })
  return withMigrator(context, { loadsCode: true, verbose: flags.verbose === true }, async (migrator, opened) => {
    const { settings, database } = opened
    printDatabase(output, database)
    const run = await withLockWait(migrator, () =>
      migrator.up({
        to,
        step,
        signal: context.signal,
        cancelSignal: context.cancelSignal,
        // Lint only what is about to run: a no-op up never loads the parser.
        beforeRun: lintsBeforeUp(flags, settings)
          ? async (plan) => {
              const linted = await lintPlan({ plan, ...opened, context })
              showFindings(output, linted)
              await refuseLintErrors(linted)
            }
          : undefined,
      }),
    ).catch((error: unknown) => dumpAfterFailure(migrator, settings, output, error, context.workingDirectory))
    printRunSummary(output, run)
    await dumpAfterRun(migrator, settings, output, [run.result], context.workingDirectory)
    return { document: { database, dryRun: false, ...runToJson(run) } }
  })
}
