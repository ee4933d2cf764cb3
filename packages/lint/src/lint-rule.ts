/** `off` rules are not checked; `error` findings fail `mig lint` and stop `mig up`; `warning` findings are reported only. */
export type RuleLevel = 'error' | 'warning' | 'off'

export type LintDialect = 'postgres' | 'sqlite'

/** What a rule reports about one statement. */
export interface RuleHit {
  /** One line: what the statement does and why it hurts. */
  readonly message: string
  /**
   * The statements to write instead, ready to paste, as strong_migrations prints them. Written
   * so that a reader (and the recipe tests) can tell which migrations it describes: a comment
   * line that says `in a later migration`, `in the next migration` or `in a migration of its
   * own` starts another migration, which runs outside a transaction when the recipe gives it the
   * `-- mig:no-transaction` and `-- mig:up` header; one that says `in the same migration` goes
   * on with the migration the finding is about; a comment line starting `-- or` offers another
   * way of doing it; `<…>` marks what the user fills in; a step that a rule would still
   * report once done as told carries its own `-- mig:allow` line.
   */
  readonly recipe: string
  /** Character offset in the section to point at; default: the statement's first character. */
  readonly offset?: number
}

/**
 * A lint rule. `check` sees one statement with what is known at that point of the plan (the
 * schema before the statement, the migration's transaction mode) and returns what it finds;
 * it must not change that knowledge, which the engine updates after every rule has looked.
 */
export interface LintRule<Context> {
  /** Stable, kebab-case; the name used in `-- mig:allow <id>: <reason>` and in the config. */
  readonly id: string
  readonly dialect: LintDialect
  readonly defaultLevel: RuleLevel
  /** One line for the rules table and `mig lint --json`. */
  readonly summary: string
  check(context: Context): readonly RuleHit[]
}
