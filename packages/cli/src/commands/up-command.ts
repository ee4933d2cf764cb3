import type { PlannedMigration } from '@mig/core'
import type { LintFinding } from '@mig/lint'
import type { Command } from '../command-context.js'
import { integerFlag } from '../command-line.js'
import type { DatabaseTarget } from '../database-url.js'
import { openMigrator } from '../open-migrator.js'
import type { Output } from '../output.js'
import { ProgressReporter } from '../progress-reporter.js'
import { resolveSettings, type Settings } from '../settings.js'
import { findingPath, findingToJson, formatFinding } from './lint-report.js'
import { plannedToJson, printPlan, printRunSummary, runToJson } from './migration-run-report.js'

export const upCommand: Command = async ({ flags, environment, workingDirectory, output, signal }) => {
  const to = integerFlag(flags, 'to', { minimum: 1 })
  const step = integerFlag(flags, 'step', { minimum: 1 })
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const { migrator, target } = await openMigrator(settings, output, { loadsCode: true })
  const linting = !flags['no-lint'] && settings.lint !== false
  const plan = flags['dry-run'] || linting ? await migrator.plan({ direction: 'up', to, step }) : []
  // Nothing pending: the parser is never loaded.
  const findings = linting && plan.length ? await lintPlan(settings, target, plan) : []
  const path = (finding: LintFinding) => findingPath(finding, settings.directory, workingDirectory)
  if (flags['dry-run']) {
    const notes = new Map(
      plan.map((planned) => [
        planned.file,
        findings.filter((f) => f.file === planned.file).flatMap((f) => formatFinding(output, f, path(f))),
      ]),
    )
    printPlan(output, plan, 'up', notes)
    return {
      document: {
        dryRun: true,
        direction: 'up',
        migrations: plan.map(plannedToJson),
        findings: findings.map((finding) => findingToJson(finding, path(finding))),
      },
    }
  }
  if (findings.length) reportFindings(output, findings, path)
  if (findings.some((finding) => finding.level === 'error')) {
    const { LintFailedError } = await import('@mig/lint')
    throw new LintFailedError(findings)
  }
  const reporter = new ProgressReporter(migrator, output).attach()
  try {
    const result = await migrator.up({ to, step, signal })
    printRunSummary(output, result)
    return { document: { dryRun: false, ...runToJson(result) } }
  } finally {
    reporter.detach()
  }
}

async function lintPlan(settings: Settings, target: DatabaseTarget, plan: readonly PlannedMigration[]): Promise<readonly LintFinding[]> {
  const { lintMigrations, readLintMigrations } = await import('@mig/lint')
  const result = await lintMigrations({
    dialect: target.dialect,
    migrations: await readLintMigrations(settings.directory),
    scope: { kind: 'plan', pending: plan.map((planned) => planned.version) },
    config: settings.lint || undefined,
  })
  return result.findings
}

function reportFindings(output: Output, findings: readonly LintFinding[], path: (finding: LintFinding) => string): void {
  for (const finding of findings) for (const line of formatFinding(output, finding, path(finding))) output.note(line)
}
