import type { DialectText, Placeholders, PlannedMigration } from '@mig/core'
import type { LintDialect, LintFinding, LintMigration } from '@mig/lint'
import type { CommandContext } from '../command-context.js'
import type { FlagValues } from '../command-line.js'
import type { Output } from '../output.js'
import type { Settings } from '../settings.js'
import { findingPath, formatFinding } from './lint-report.js'

export interface LintedPlan {
  readonly findings: readonly LintFinding[]
  /** A finding's file as the user sees it: relative to the working directory. */
  readonly pathOf: (finding: LintFinding) => string
}

/** Whether `up` (and its plan) lints what it would apply: unless `--no-lint`, or `"lint": false` in the config. */
export function lintsBeforeUp(flags: FlagValues, settings: Settings): boolean {
  return flags['no-lint'] !== true && settings.lint !== false
}

/**
 * Lints the migrations a run is about to apply, as one plan over the whole folder. Loads the
 * parser. With placeholders on, the pending files are linted as they will run, placeholders
 * filled.
 */
export async function lintPlan(options: {
  plan: readonly PlannedMigration[]
  settings: Settings
  dialect: string
  dialectText: DialectText
  context: CommandContext
}): Promise<LintedPlan> {
  const { plan, settings, context } = options
  const { lintMigrations, readLintMigrations } = await import('@mig/lint')
  const written = await readLintMigrations(settings.directory)
  const pending = new Set(plan.map((planned) => planned.file))
  const migrations = settings.placeholders ? await fillPlaceholders(written, settings.placeholders, options.dialectText, pending) : written
  const result = await lintMigrations({
    dialect: options.dialect as LintDialect,
    migrations,
    scope: {
      kind: 'plan',
      pending: plan.filter((planned) => !planned.repeatable).map((planned) => planned.version),
      repeatables: plan.filter((planned) => planned.repeatable).map((planned) => planned.file),
    },
    config: settings.lint || undefined,
  })
  return { findings: result.findings, pathOf: (finding) => findingPath(finding, settings.directory, context.workingDirectory) }
}

/** Shows each finding on stderr, as `up` does before it applies anything. */
export function showFindings(output: Output, linted: LintedPlan): void {
  for (const finding of linted.findings) for (const line of formatFinding(output, finding, linted.pathOf(finding))) output.note(line)
}

/** Refuses a plan with an error-level finding that no `-- mig:allow` allows: nothing is applied. */
export async function refuseLintErrors(linted: LintedPlan): Promise<void> {
  if (!linted.findings.some((finding) => finding.level === 'error')) return
  const { LintFailedError } = await import('@mig/lint')
  throw new LintFailedError({ findings: linted.findings })
}

/**
 * The files with their placeholders filled, as `up` runs them: all, or only those in `only`.
 * Each filled file keeps the text as written, so its findings name the file's own lines.
 */
export async function fillPlaceholders(
  migrations: readonly LintMigration[],
  placeholders: Placeholders,
  dialect: Pick<DialectText, 'literalRanges'>,
  only?: ReadonlySet<string>,
): Promise<LintMigration[]> {
  const { substituteFileText } = await import('@mig/core')
  return migrations.map((migration) =>
    migration.text !== undefined && (only === undefined || only.has(migration.file))
      ? { ...migration, ...substituteFileText(migration.file, migration.text, placeholders, dialect) }
      : migration,
  )
}
