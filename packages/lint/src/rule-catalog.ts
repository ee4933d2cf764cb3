import type { LintDialect, LintRule, RuleLevel } from './lint-rule.js'
import { dropColumn, dropTable, renameColumn, renameTable } from './postgres-breaking-rules.js'
import { addColumnNotNullWithoutDefault, addColumnVolatileDefault, changeColumnType, setNotNull } from './postgres-column-rules.js'
import {
  addCheckWithoutNotValid,
  addForeignKeyWithoutNotValid,
  addPrimaryKeyWithoutIndex,
  addUniqueWithoutIndex,
} from './postgres-constraint-rules.js'
import { preferBigint, preferIdentity, preferText, preferTimestamptz } from './postgres-hygiene-rules.js'
import {
  detachPartitionWithoutConcurrently,
  dropIndexWithoutConcurrently,
  indexWithoutConcurrently,
  needsNoTransaction,
  reindexWithoutConcurrently,
} from './postgres-index-rules.js'
import { backfillInTransaction, dropDatabase, truncateCascade, vacuumFullOrCluster } from './postgres-maintenance-rules.js'
import { sqliteAddColumnRefused, sqlitePragmaNoEffect, sqliteRebuildCascades, sqliteRebuildLosesIndexes } from './sqlite-rules.js'

/** Every rule, in the order of docs/lint.md. */
// biome-ignore lint/suspicious/noExplicitAny: each dialect's rules take that dialect's context
export const RULES: readonly LintRule<any>[] = [
  indexWithoutConcurrently,
  dropIndexWithoutConcurrently,
  needsNoTransaction,
  reindexWithoutConcurrently,
  detachPartitionWithoutConcurrently,
  addColumnVolatileDefault,
  addColumnNotNullWithoutDefault,
  setNotNull,
  addCheckWithoutNotValid,
  addForeignKeyWithoutNotValid,
  addUniqueWithoutIndex,
  addPrimaryKeyWithoutIndex,
  changeColumnType,
  renameTable,
  renameColumn,
  dropColumn,
  dropTable,
  vacuumFullOrCluster,
  truncateCascade,
  dropDatabase,
  backfillInTransaction,
  preferBigint,
  preferIdentity,
  preferTimestamptz,
  preferText,
  sqliteAddColumnRefused,
  sqlitePragmaNoEffect,
  sqliteRebuildLosesIndexes,
  sqliteRebuildCascades,
]

/**
 * Findings the engine itself makes: a section that does not parse, a statement only a client
 * can run, and a `-- mig:allow` line that cannot be used.
 */
export const SYNTAX_ERROR = 'syntax-error'
export const CLIENT_ONLY = 'client-only'
export const INVALID_ALLOW = 'invalid-allow'

/** What `mig lint --json` and the docs say about a rule. */
export interface RuleDescription {
  readonly id: string
  readonly dialect: LintDialect | 'any'
  readonly defaultLevel: RuleLevel
  readonly summary: string
}

export const RULE_DESCRIPTIONS: readonly RuleDescription[] = [
  ...RULES.map(({ id, dialect, defaultLevel, summary }) => ({ id, dialect, defaultLevel, summary })),
  {
    id: SYNTAX_ERROR,
    dialect: 'any',
    defaultLevel: 'error',
    summary: 'The migration does not parse, so it would fail; nothing in it was linted',
  },
  {
    id: CLIENT_ONLY,
    dialect: 'any',
    defaultLevel: 'error',
    summary:
      'A statement only a client can run (COPY … FROM STDIN, a psql backslash command, a sqlite3 dot-command), which mig refuses before anything runs',
  },
  {
    id: INVALID_ALLOW,
    dialect: 'any',
    defaultLevel: 'error',
    summary: 'A -- mig:allow line without a reason or naming an unknown rule (cannot be turned off)',
  },
]
