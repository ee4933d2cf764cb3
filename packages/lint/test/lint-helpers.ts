import { type LintConfig, type LintDialect, type LintMigration, type LintResult, lintMigrations } from '@mig/lint'

/** A migration file's text: its SQL under `-- mig:up`, with `-- mig:no-transaction` on request. */
export function migrationText(sql: string, mode: 'transaction' | 'no-transaction' = 'transaction'): string {
  return `${mode === 'no-transaction' ? '-- mig:no-transaction\n' : ''}-- mig:up\n${sql}\n`
}

/** Numbered migrations `0001_step.sql`, `0002_step.sql`, … from file texts. */
export function migrations(...texts: string[]): LintMigration[] {
  return texts.map((text, index) => ({ version: index + 1, file: `${String(index + 1).padStart(4, '0')}_step.sql`, text }))
}

/** Lints the migrations after the first `applied` ones as one pending plan. */
export function lintPlan(dialect: LintDialect, all: readonly LintMigration[], applied: number, config?: LintConfig): Promise<LintResult> {
  return lintMigrations({ dialect, migrations: all, scope: { kind: 'plan', pending: all.slice(applied).map((m) => m.version) }, config })
}

export function rulesOf(result: LintResult): string[] {
  return result.findings.map((finding) => finding.rule)
}
