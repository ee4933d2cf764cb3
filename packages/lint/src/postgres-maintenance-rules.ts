import type { Node } from 'libpg-query'
import type { LintRule } from './lint-rule.js'
import { nodeOf, relationKey, sqlKey } from './postgres-ast.js'
import { hit, OWN_MIGRATION_OUTSIDE_TRANSACTION, type PostgresContext } from './postgres-rule.js'

type Rule = LintRule<PostgresContext>

function isEnabled(option: Node): boolean {
  const argument = nodeOf(option, 'DefElem')?.arg
  if (!argument) return true
  const text = nodeOf(argument, 'String')?.sval ?? nodeOf(argument, 'Boolean')?.boolval
  return !(text === false || text === 'false' || text === 'off' || text === '0')
}

export const vacuumFullOrCluster: Rule = {
  id: 'vacuum-full-or-cluster',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock',
  check({ statement, state }) {
    const vacuum = nodeOf(statement.node, 'VacuumStmt')
    const cluster = nodeOf(statement.node, 'ClusterStmt')
    const full =
      vacuum?.is_vacuumcmd && (vacuum.options ?? []).some((option) => nodeOf(option, 'DefElem')?.defname === 'full' && isEnabled(option))
    if (!full && !cluster) return []
    const relations = cluster ? [cluster.relation] : (vacuum?.rels ?? []).map((relation) => nodeOf(relation, 'VacuumRelation')?.relation)
    const tables = relations.flatMap((relation) => (relation ? [relationKey(relation)] : []))
    if (tables.length && tables.every((table) => state.isNewTable(table))) return []
    const named = tables.length ? tables.map(sqlKey).join(', ') : 'every table'
    return [
      hit(
        `${cluster ? 'CLUSTER' : 'VACUUM FULL'} rewrites ${named} while it blocks reads and writes.`,
        [
          '-- reclaim space or reorder rows without the long lock, outside migrations:',
          ...(tables.length ? tables : ['<table>']).map(
            (table) => `--   pg_repack --table=${table}${cluster ? ' --order-by=<columns>' : ''} <database>`,
          ),
          '-- or, for dead rows only, a plain VACUUM,',
          OWN_MIGRATION_OUTSIDE_TRANSACTION,
          `VACUUM ${tables.map(sqlKey).join(', ')};`.replace(' ;', ';'),
        ].join('\n'),
      ),
    ]
  },
}

export const truncateCascade: Rule = {
  id: 'truncate-cascade',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'TRUNCATE … CASCADE also empties every table that references these, however far the chain goes',
  check({ statement }) {
    const truncate = nodeOf(statement.node, 'TruncateStmt')
    if (truncate?.behavior !== 'DROP_CASCADE') return []
    const tables = (truncate.relations ?? []).map((relation) => sqlKey(relationKey(nodeOf(relation, 'RangeVar'))))
    return [
      hit(
        `TRUNCATE ${tables.join(', ')} CASCADE also empties every table with a foreign key to ${tables.length > 1 ? 'them' : 'it'}, and theirs in turn.`,
        `-- name every table to empty, so the statement says what it deletes:\nTRUNCATE ${tables.join(', ')}, <tables that reference ${tables.length > 1 ? 'them' : 'it'}>;`,
      ),
    ]
  },
}

export const dropDatabase: Rule = {
  id: 'drop-database',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'DROP DATABASE in a migration destroys a whole database',
  check({ statement }) {
    const drop = nodeOf(statement.node, 'DropdbStmt')
    if (!drop) return []
    return [
      hit(
        `DROP DATABASE ${drop.dbname ?? ''} destroys every table and row in it; a migration that runs in every environment should never do it.`,
        '-- drop databases by hand, after a backup, never from a migration',
      ),
    ]
  },
}

/** A WHERE clause that only tests for NULL is the usual shape of a backfill over the whole table. */
function coversWholeTable(where: Node | undefined): boolean {
  if (!where) return true
  if (nodeOf(where, 'NullTest')) return true
  const bool = nodeOf(where, 'BoolExpr')
  return bool !== undefined && (bool.args ?? []).every(coversWholeTable)
}

export const backfillInTransaction: Rule = {
  id: 'backfill-in-transaction',
  dialect: 'postgres',
  defaultLevel: 'warning',
  summary: 'UPDATE or DELETE over a whole existing table inside a transactional migration holds its locks until the end',
  check({ statement, state, transaction }) {
    if (!transaction) return []
    const update = nodeOf(statement.node, 'UpdateStmt')
    const remove = nodeOf(statement.node, 'DeleteStmt')
    const target = update ?? remove
    if (!target?.relation) return []
    const table = relationKey(target.relation)
    if (state.isNewTable(table) || !coversWholeTable(target.whereClause)) return []
    const verb = update ? 'UPDATE' : 'DELETE'
    const change = update ? `UPDATE ${sqlKey(table)} SET <columns> WHERE` : `DELETE FROM ${sqlKey(table)} WHERE`
    return [
      hit(
        `${verb} over the whole of ${sqlKey(table)} in one transaction locks every row it touches (and keeps any lock taken earlier in the migration) until the migration commits.`,
        [
          '-- in a migration of its own, in batches that each commit:',
          '-- mig:no-transaction',
          '-- mig:up',
          'DO $$',
          'DECLARE changed integer;',
          'BEGIN',
          '  LOOP',
          `    ${change} ctid IN (SELECT ctid FROM ${sqlKey(table)} WHERE <rows not done yet> LIMIT 10000);`,
          '    GET DIAGNOSTICS changed = ROW_COUNT;',
          '    EXIT WHEN changed = 0;',
          '    COMMIT;',
          '  END LOOP;',
          'END $$;',
        ].join('\n'),
      ),
    ]
  },
}
