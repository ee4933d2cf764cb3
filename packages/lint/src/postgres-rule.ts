import type { RuleHit } from './lint-rule.js'
import { clauseTextAt } from './postgres-expressions.js'
import type { PostgresStatement } from './postgres-parser.js'
import type { SchemaState } from './schema-state.js'

/** What a PostgreSQL rule sees of one statement. */
export interface PostgresContext {
  readonly statement: PostgresStatement
  /** The statements after it in the same migration: a copy, so a rule asks only when it needs them. */
  following(): readonly PostgresStatement[]
  /** Whether the statement runs in a transaction: the migration's (no `-- mig:no-transaction`), or its DO block's. */
  readonly transaction: boolean
  /** Where the statement stands: in the section, or in a DO block, which PostgreSQL runs as a function. */
  readonly place: 'section' | 'do-block'
  /** The schema before this statement. */
  readonly state: SchemaState
  /** The section offset of a node's `location` (the parser counts UTF-8 bytes). */
  offsetOf(location: number | undefined): number | undefined
  /** The source text of the expression or type at a node's `location`. */
  textAt(location: number | undefined): string | undefined
}

export function createPostgresContext(
  sql: string,
  statement: PostgresStatement,
  following: () => readonly PostgresStatement[],
  transaction: boolean,
  place: PostgresContext['place'],
  state: SchemaState,
  fromBytes: (offset: number) => number,
): PostgresContext {
  const offsetOf = (location: number | undefined) => (location === undefined || location < 0 ? undefined : fromBytes(location))
  return {
    statement,
    following,
    transaction,
    place,
    state,
    offsetOf,
    textAt: (location) => {
      const offset = offsetOf(location)
      return offset === undefined ? undefined : clauseTextAt(sql, offset)
    },
  }
}

export function hit(message: string, recipe: string, offset?: number): RuleHit {
  return offset === undefined ? { message, recipe } : { message, recipe, offset }
}

/** A statement with its final semicolon, whatever the source had. */
export function asStatement(text: string): string {
  return `${text.trim().replace(/;\s*$/, '')};`
}

/**
 * The last step of a recipe that removes what the running application uses: stop using it,
 * deploy, then drop it in a migration of its own whose `-- mig:allow` line names the release that
 * stopped using it.
 */
export function dropAfterDeploy(rule: 'drop-column' | 'drop-table', name: string, statement: string): string[] {
  return [
    `-- stop using ${name} in the application and deploy that; then, in a later migration of its own:`,
    `-- mig:allow ${rule}: <the release that stopped using ${name}>`,
    statement,
  ]
}

/** The header of a migration that must run outside a transaction, for recipes. */
export const OWN_MIGRATION_OUTSIDE_TRANSACTION = '-- in a migration of its own, outside a transaction:\n-- mig:no-transaction\n-- mig:up'
