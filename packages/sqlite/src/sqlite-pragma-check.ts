import type { MigrationTransaction } from '@mig/core'
import { splitSqliteStatements } from './sqlite-statement-splitter.js'

const IGNORED_IN_TRANSACTION = /^PRAGMA\s+(?:["`[]?\w+["`\]]?\s*\.\s*)?["`[]?(foreign_keys|journal_mode)\b/i

/** SQLite silently ignores these PRAGMAs inside a transaction (journal_mode may even fail there). */
export function inspectSqliteScript(sql: string, transaction: MigrationTransaction): string[] {
  if (transaction === 'no-transaction') return []
  return splitSqliteStatements(sql).flatMap((statement) => {
    const pragma = IGNORED_IN_TRANSACTION.exec(statement.text)?.[1]?.toLowerCase()
    if (!pragma) return []
    const advice =
      pragma === 'foreign_keys'
        ? 'mig already runs it with foreign keys off and checks them with PRAGMA foreign_key_check before it commits: remove the line. ' +
          '(In a "-- mig:no-transaction" migration it would switch foreign keys, and that check, off for the rest of the run.)'
        : 'Move it to a migration that starts with "-- mig:no-transaction".'
    return [`PRAGMA ${pragma} has no effect inside a transaction, and this migration runs in one. ${advice}`]
  })
}
