import type { PlannedMigration } from '@mig/core'
import { usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { integerFlag, versionFlag } from '../command-line.js'
import { plural } from '../format.js'
import { dumpAfterFailure, dumpAfterRun } from '../schema-file.js'
import { withMigrator } from '../with-migrator.js'
import {
  plannedToJson,
  printDatabase,
  printPlan,
  printPlannedSql,
  printRunSummary,
  runToJson,
  withLockWait,
} from './migration-run-report.js'

export const downCommand: Command = async (context) => {
  if (context.flags['include-renumbered'] && !context.flags.missing)
    throw usageError('--include-renumbered goes with --missing: mig down --missing --include-renumbered.')
  const missing = context.flags.missing === true ? (context.flags['include-renumbered'] ? 'including-renumbered' : true) : undefined
  if (missing && context.flags.fleet)
    throw usageError('mig down --missing is for the database you switched branches on; leave out --fleet.')
  if (context.flags.fleet) return (await import('../fleet-command.js')).runFleetCommand(context, 'down')
  const to = versionFlag(context.flags, 'to', { minimum: 0 })
  const step = integerFlag(context.flags, 'step', { minimum: 1 })
  const all = context.flags.all === true ? true : undefined
  // Nothing to revert in a database that does not exist: a missing SQLite file is a wrong path, never created.
  const access = context.flags['dry-run'] ? 'read-only' : 'existing'
  const verbose = context.flags.verbose === true
  const { output } = context
  return withMigrator(context, { loadsCode: true, access, verbose }, async (migrator, { settings, database }) => {
    printDatabase(output, database)
    if (context.flags['dry-run']) {
      const plan = await migrator.plan({ direction: 'down', to, step, all, missing })
      if (missing && plan.length === 0) output.line(NOTHING_MISSING)
      else printPlan(output, plan, 'down')
      return { document: { database, dryRun: true, direction: 'down', migrations: plan.map(plannedToJson) } }
    }
    let planned: readonly PlannedMigration[] = []
    // down --missing runs SQL that is in no file the user can read, so it is shown before it runs.
    const beforeRun = missing
      ? (plan: readonly PlannedMigration[]) => {
          planned = plan
          output.line(
            output.colours.bold(
              `Reverting ${plural(plan.length, 'applied migration')} whose file${plan.length > 1 ? 's are' : ' is'} gone, newest first, ` +
                'with the down SQL recorded when applied:',
            ),
          )
          printPlannedSql(output, plan)
          output.line()
        }
      : undefined
    const run = await withLockWait(migrator, () =>
      migrator.down({ to, step, all, missing, beforeRun, signal: context.signal, cancelSignal: context.cancelSignal }),
    ).catch((error: unknown) => dumpAfterFailure(migrator, settings, output, error, context.workingDirectory))
    if (missing && run.result.migrations.length === 0) output.line(NOTHING_MISSING)
    else printRunSummary(output, run)
    await dumpAfterRun(migrator, settings, output, [run.result], context.workingDirectory)
    return {
      document: { database, dryRun: false, ...runToJson(run), ...(missing ? { planned: planned.map(plannedToJson) } : {}) },
    }
  })
}

const NOTHING_MISSING = 'Nothing to roll back: every applied migration has its file.'
