import type { Command } from '../command-context.js'
import { integerFlag, versionFlag } from '../command-line.js'
import { withMigrator } from '../with-migrator.js'
import { type LintedPlan, lintPlan, lintsBeforeUp } from './lint-plan.js'
import { findingToJson, formatFinding } from './lint-report.js'
import { plannedToJson, printDatabase, printPlan } from './migration-run-report.js'

/**
 * What `up` would apply, with each migration's SQL and its lint findings beside it; writes
 * nothing, not even the history table. `mig plan` and `mig up --dry-run` are this command.
 */
export const planCommand: Command = async (context) => {
  const { flags, output } = context
  const to = versionFlag(flags, 'to', { minimum: 1 })
  const step = integerFlag(flags, 'step', { minimum: 1 })
  const verbose = flags.verbose === true
  return withMigrator(context, { loadsCode: true, access: 'read-only', verbose }, async (migrator, opened) => {
    const { settings, database } = opened
    printDatabase(output, database)
    const plan = await migrator.plan({ direction: 'up', to, step })
    // Lint only what would run: nothing pending loads no parser.
    const linted: LintedPlan =
      lintsBeforeUp(flags, settings) && plan.length ? await lintPlan({ plan, ...opened, context }) : { findings: [], pathOf: () => '' }
    const notes = new Map(
      plan.map((planned) => [
        planned.file,
        linted.findings
          .filter((finding) => finding.file === planned.file)
          .flatMap((finding) => formatFinding(output, finding, linted.pathOf(finding))),
      ]),
    )
    printPlan(output, plan, 'up', notes)
    const findings = linted.findings.map((finding) => findingToJson(finding, linted.pathOf(finding)))
    return { document: { database, dryRun: true, direction: 'up', migrations: plan.map(plannedToJson), findings } }
  })
}
