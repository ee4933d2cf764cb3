import type { DialectLinter, StatementHit } from './dialect-linter.js'
import type { LintRule } from './lint-rule.js'
import { statementsOfDoBlock } from './postgres-do-block.js'
import { type PostgresStatement, parsePostgres } from './postgres-parser.js'
import { createPostgresContext, type PostgresContext } from './postgres-rule.js'
import { applyPostgresStatement } from './postgres-schema-tracking.js'

/** A statement as the rules see it: one of the section's, or one a DO block of it runs. */
interface LintedStatement {
  readonly statement: PostgresStatement
  readonly fromBytes: (offset: number) => number
  /** The span whose `-- mig:allow` lines cover it: for a DO block's statement, the whole block's. */
  readonly zone: { readonly from: number; readonly to: number }
  /** A DO block runs as one transaction, even in a `-- mig:no-transaction` migration. */
  readonly transaction: boolean
  readonly place: 'section' | 'do-block'
}

export const postgresLinter: DialectLinter = {
  async lintSection(sql, transaction, state, rules: readonly LintRule<PostgresContext>[], positions) {
    const fromBytes = (offset: number) => positions.fromBytes(offset)
    const parsed = await parsePostgres(sql, fromBytes)
    if (parsed.error) return { hits: [], syntaxError: parsed.error }
    const linted: LintedStatement[] = []
    let previousEnd = 0
    for (const statement of parsed.statements) {
      const zone = { from: previousEnd, to: statement.offset + statement.text.length }
      linted.push({ statement, fromBytes, zone, transaction, place: 'section' })
      for (const inner of await statementsOfDoBlock(statement)) linted.push({ ...inner, zone, transaction: true, place: 'do-block' })
      previousEnd = zone.to
    }
    const statements = linted.map((entry) => entry.statement)
    const hits: StatementHit[] = []
    for (const [index, { statement, fromBytes: toChar, zone, transaction: inTransaction, place }] of linted.entries()) {
      if (rules.length) {
        const following = () => statements.slice(index + 1)
        const context = createPostgresContext(sql, statement, following, inTransaction, place, state, toChar)
        for (const rule of rules) {
          for (const hit of rule.check(context)) hits.push({ rule: rule.id, hit, statementOffset: statement.offset, zone })
        }
      }
      applyPostgresStatement(state, statement)
    }
    return { hits }
  },
}
