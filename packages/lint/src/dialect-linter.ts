import type { SectionPositions } from './file-position.js'
import type { LintRule, RuleHit } from './lint-rule.js'
import type { SchemaState } from './schema-state.js'

/** A finding of one rule on one statement, before suppressions and levels. */
export interface StatementHit {
  readonly rule: string
  readonly hit: RuleHit
  /** Section offsets: where the statement starts, and the span whose `-- mig:allow` lines cover it. */
  readonly statementOffset: number
  readonly zone: { readonly from: number; readonly to: number }
}

export interface SectionLint {
  readonly hits: readonly StatementHit[]
  /** The section could not be parsed; nothing in it was linted or learnt. */
  readonly syntaxError?: { readonly message: string; readonly offset: number }
}

/**
 * What a dialect gives the engine: read a migration's up section statement by statement, let
 * each enabled rule look at it, then learn from it (tables created, columns added, …).
 */
export interface DialectLinter {
  lintSection(
    sql: string,
    transaction: boolean,
    state: SchemaState,
    // biome-ignore lint/suspicious/noExplicitAny: each dialect's rules take that dialect's context
    rules: readonly LintRule<any>[],
    positions: SectionPositions,
  ): Promise<SectionLint>
}
