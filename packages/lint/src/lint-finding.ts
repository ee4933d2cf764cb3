import type { MigrationVersion } from '@mig/core'
import type { RuleLevel } from './lint-rule.js'

/** One finding, located in its file. */
export interface LintFinding {
  readonly rule: string
  readonly level: Exclude<RuleLevel, 'off'>
  /** The migration's file name, as its source lists it: `0002_add_index.sql`. */
  readonly file: string
  readonly version: MigrationVersion
  /** 1-based line and column in the file. */
  readonly line: number
  readonly column: number
  readonly message: string
  /** The statements to write instead; empty when there is nothing to paste. */
  readonly recipe: string
  /** The reason given in `-- mig:allow`, when the finding is allowed. */
  readonly allowedBecause?: string
}

export interface LintResult {
  /** Findings that count, in plan order: errors and warnings not allowed in the file. */
  readonly findings: readonly LintFinding[]
  /** Findings a `-- mig:allow <rule>: <reason>` line allowed, with the reason. */
  readonly allowed: readonly LintFinding[]
  /** Migrations whose SQL was linted. */
  readonly linted: number
  /** Code migrations (`.ts`, `.js`): their SQL is known only when they run, so they were not linted. */
  readonly skipped: readonly string[]
  readonly errors: number
  readonly warnings: number
}
