import type { Command } from '../command-context.js'
import { integerFlag, versionFlag } from '../command-line.js'
import type { Output } from '../output.js'
import { dumpAfterFailure, dumpAfterRun } from '../schema-file.js'
import { withMigrator } from '../with-migrator.js'
import { type LintedPlan, lintPlan, lintsBeforeUp } from './lint-plan.js'
import { formatFinding } from './lint-report.js'
import { printDatabase, printRunSummary, runToJson } from './migration-run-report.js'
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
    const result = await migrator
      .up({
        to,
        step,
        signal: context.signal,
        cancelSignal: context.cancelSignal,
        // Lint only what is about to run: a no-op up never loads the parser.
        beforeRun: lintsBeforeUp(flags, settings)
          ? async (plan) => refuseLintErrors(output, await lintPlan({ plan, ...opened, context }))
          : undefined,
      })
      .catch((error: unknown) => dumpAfterFailure(migrator, settings, output, error, context.workingDirectory))
    printRunSummary(output, result)
    await dumpAfterRun(migrator, settings, output, [result], context.workingDirectory)
    return { document: { database, dryRun: false, ...runToJson(result) } }
  })
}

async function refuseLintErrors(output: Output, linted: LintedPlan) {
  for (const finding of linted.findings) for (const line of formatFinding(output, finding, linted.pathOf(finding))) output.note(line)
  if (linted.findings.some((finding) => finding.level === 'error')) {
    const { LintFailedError } = await import('@mig/lint')
    throw new LintFailedError({ findings: linted.findings })
  }
}
