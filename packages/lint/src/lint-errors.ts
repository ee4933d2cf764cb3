import { InvalidOptionsError, MigError } from '@mig/core'
import type { LintFinding } from './lint-finding.js'

/** A `lint` config entry that names an unknown rule or level. Nothing was linted. */
export class LintConfigError extends InvalidOptionsError {}

/** Pending migrations have error-level findings that no `-- mig:allow` allows; nothing ran. */
export class LintFailedError extends MigError {
  readonly findings: readonly LintFinding[]

  constructor(options: { findings: readonly LintFinding[] }) {
    const { findings } = options
    const errors = findings.filter((finding) => finding.level === 'error')
    const files = [...new Set(errors.map((finding) => finding.file))]
    super(
      'MIG_LINT_FAILED',
      `Lint found ${errors.length} error${errors.length === 1 ? '' : 's'} in ${files.join(', ')}, so nothing was applied. ` +
        'Write the safe form each finding shows, or allow one with "-- mig:allow <rule>: <reason>" above its statement; ' +
        'run mig lint for the details, or mig up --no-lint to skip lint.',
    )
    this.findings = findings
  }

  override toJSON() {
    return { ...super.toJSON(), findings: this.findings }
  }
}
