import type { DialectLinter, StatementHit } from './dialect-linter.js'
import type { LintRule } from './lint-rule.js'
import { parsePostgres } from './postgres-parser.js'
import { createPostgresContext, type PostgresContext } from './postgres-rule.js'
import { applyPostgresStatement } from './postgres-schema-tracking.js'

export const postgresLinter: DialectLinter = {
  async lintSection(sql, transaction, state, rules: readonly LintRule<PostgresContext>[], positions) {
    const fromBytes = (offset: number) => positions.fromBytes(offset)
    const parsed = await parsePostgres(sql, fromBytes)
    if (parsed.error) return { hits: [], syntaxError: parsed.error }
    const hits: StatementHit[] = []
    let previousEnd = 0
    for (const [index, statement] of parsed.statements.entries()) {
      const end = statement.offset + statement.text.length
      if (rules.length) {
        const context = createPostgresContext(sql, statement, parsed.statements.slice(index + 1), transaction, state, fromBytes)
        for (const rule of rules) {
          for (const hit of rule.check(context)) {
            hits.push({ rule: rule.id, hit, statementOffset: statement.offset, zone: { from: previousEnd, to: end } })
          }
        }
      }
      applyPostgresStatement(state, statement)
      previousEnd = end
    }
    return { hits }
  },
}
