import type { LintRule, RuleHit } from './lint-rule.js'
import { keyOfNames, nodeOf, relationKey, sqlKey, sqlName } from './postgres-ast.js'
import { asStatement, hit, OWN_MIGRATION_OUTSIDE_TRANSACTION, type PostgresContext } from './postgres-rule.js'

type Rule = LintRule<PostgresContext>

export const indexWithoutConcurrently: Rule = {
  id: 'index-without-concurrently',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'CREATE INDEX without CONCURRENTLY on an existing table blocks writes while the index builds',
  check({ statement, state }) {
    const index = nodeOf(statement.node, 'IndexStmt')
    // ON ONLY a partitioned table builds nothing; its partitions' indexes are created one by one.
    // The parser leaves `inh` out when it is false (ON ONLY), so only an explicit true means "with partitions".
    if (!index?.relation || index.concurrent || index.relation.inh !== true) return []
    const table = relationKey(index.relation)
    if (state.isNewTable(table)) return []
    const message = `CREATE INDEX on ${sqlKey(table)} without CONCURRENTLY blocks writes to the table until the index is built.`
    const concurrently = (text: string) => asStatement(text.replace(/^(create\s+(?:unique\s+)?index)\b/i, '$1 CONCURRENTLY'))
    const target = /(\sON\s+)(?:ONLY\s+)?(?:"(?:[^"]|"")*"|[^\s(]+)/i
    if (!state.table(table)?.partitioned || !target.test(statement.text)) {
      return [hit(message, `${OWN_MIGRATION_OUTSIDE_TRANSACTION}\n${concurrently(statement.text)}`)]
    }
    // PostgreSQL refuses CONCURRENTLY on a partitioned table: build each partition's index, then attach it.
    const name = index.idxname ? sqlName(index.idxname) : '<index>'
    const onPartition = statement.text
      .replace(target, '$1<partition>')
      .replace(/(\bindex\s+(?:if\s+not\s+exists\s+)?)(?:"(?:[^"]|"")*"|\w+)(?=\s+on\s)/i, '$1<partition_index>')
    const recipe = [
      asStatement(statement.text.replace(target, (clause) => clause.replace(/(\sON\s+)(?:ONLY\s+)?/i, '$1ONLY '))),
      '-- then, for each partition, in a migration of its own, outside a transaction:',
      '-- mig:no-transaction',
      '-- mig:up',
      concurrently(onPartition),
      `ALTER INDEX ${name} ATTACH PARTITION <partition_index>;`,
    ]
    return [hit(`${message.slice(0, -1)}, and PostgreSQL refuses CONCURRENTLY on a partitioned table.`, recipe.join('\n'))]
  },
}

export const dropIndexWithoutConcurrently: Rule = {
  id: 'drop-index-without-concurrently',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table, blocking reads and writes',
  check({ statement, state }) {
    const drop = nodeOf(statement.node, 'DropStmt')
    if (drop?.removeType !== 'OBJECT_INDEX' || drop.concurrent) return []
    const hits: RuleHit[] = []
    for (const object of drop.objects ?? []) {
      const index = keyOfNames(nodeOf(object, 'List')?.items)
      const table = state.indexTable(index)
      if (table && state.isNewTable(table)) continue
      hits.push(
        hit(
          `DROP INDEX ${sqlKey(index)} without CONCURRENTLY locks ${table ? sqlKey(table) : 'its table'} against reads and writes, and waits behind every query on it.`,
          `${OWN_MIGRATION_OUTSIDE_TRANSACTION}\nDROP INDEX CONCURRENTLY ${drop.missing_ok ? 'IF EXISTS ' : ''}${sqlKey(index)};`,
        ),
      )
    }
    return hits
  },
}

export const reindexWithoutConcurrently: Rule = {
  id: 'reindex-without-concurrently',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index)',
  check({ statement, state }) {
    const reindex = nodeOf(statement.node, 'ReindexStmt')
    if (!reindex || (reindex.params ?? []).some((param) => nodeOf(param, 'DefElem')?.defname === 'concurrently')) return []
    if (reindex.kind === 'REINDEX_OBJECT_SYSTEM') return []
    const target = reindex.relation ? relationKey(reindex.relation) : (reindex.name ?? '')
    const table =
      reindex.kind === 'REINDEX_OBJECT_INDEX' ? state.indexTable(target) : reindex.kind === 'REINDEX_OBJECT_TABLE' ? target : undefined
    if (table && state.isNewTable(table)) return []
    const kind = (reindex.kind ?? 'REINDEX_OBJECT_TABLE').replace('REINDEX_OBJECT_', '')
    return [
      hit(
        `REINDEX ${kind} ${sqlKey(target)} without CONCURRENTLY blocks writes while it rebuilds.`,
        `${OWN_MIGRATION_OUTSIDE_TRANSACTION}\nREINDEX ${kind} CONCURRENTLY ${sqlKey(target)};`,
      ),
    ]
  },
}

export const detachPartitionWithoutConcurrently: Rule = {
  id: 'detach-partition-without-concurrently',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'DETACH PARTITION without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the partitioned table',
  check({ statement, state }) {
    const alter = nodeOf(statement.node, 'AlterTableStmt')
    if (!alter?.relation) return []
    const parent = relationKey(alter.relation)
    if (state.isNewTable(parent)) return []
    return (alter.cmds ?? []).flatMap((node) => {
      const command = nodeOf(node, 'AlterTableCmd')
      const partition = command?.subtype === 'AT_DetachPartition' ? nodeOf(command.def, 'PartitionCmd') : undefined
      if (!partition?.name || partition.concurrent) return []
      return [
        hit(
          `DETACH PARTITION without CONCURRENTLY locks ${sqlKey(parent)} against reads and writes.`,
          `${OWN_MIGRATION_OUTSIDE_TRANSACTION}\nALTER TABLE ${sqlKey(parent)} DETACH PARTITION ${sqlKey(relationKey(partition.name))} CONCURRENTLY;`,
        ),
      ]
    })
  },
}

/** What PostgreSQL refuses inside a transaction block, by the name of the statement. */
function refusedInTransaction({ statement }: PostgresContext): string | undefined {
  const { node } = statement
  if (nodeOf(node, 'IndexStmt')?.concurrent) return 'CREATE INDEX CONCURRENTLY'
  const drop = nodeOf(node, 'DropStmt')
  if (drop?.concurrent) return 'DROP INDEX CONCURRENTLY'
  const reindex = nodeOf(node, 'ReindexStmt')
  if (reindex?.params?.some((param) => nodeOf(param, 'DefElem')?.defname === 'concurrently')) return 'REINDEX CONCURRENTLY'
  if (reindex && (reindex.kind === 'REINDEX_OBJECT_SYSTEM' || reindex.kind === 'REINDEX_OBJECT_DATABASE')) return 'REINDEX DATABASE/SYSTEM'
  const alter = nodeOf(node, 'AlterTableStmt')
  const detached = alter?.cmds?.some((command) => nodeOf(nodeOf(command, 'AlterTableCmd')?.def, 'PartitionCmd')?.concurrent)
  if (detached) return 'DETACH PARTITION CONCURRENTLY'
  if (nodeOf(node, 'VacuumStmt')?.is_vacuumcmd) return 'VACUUM'
  if (nodeOf(node, 'CreatedbStmt')) return 'CREATE DATABASE'
  if (nodeOf(node, 'DropdbStmt')) return 'DROP DATABASE'
  if (nodeOf(node, 'CreateTableSpaceStmt')) return 'CREATE TABLESPACE'
  if (nodeOf(node, 'DropTableSpaceStmt')) return 'DROP TABLESPACE'
  if (nodeOf(node, 'AlterSystemStmt')) return 'ALTER SYSTEM'
  return undefined
}

export const needsNoTransaction: Rule = {
  id: 'needs-no-transaction',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'CONCURRENTLY, VACUUM and other statements PostgreSQL refuses inside a transaction, in a migration that runs in one',
  check(context) {
    if (!context.transaction) return []
    const name = refusedInTransaction(context)
    if (!name) return []
    const where =
      context.place === 'do-block'
        ? 'inside a DO block, which PostgreSQL runs as a function'
        : 'inside a transaction block, and this migration runs in one'
    return [
      hit(
        `${name} cannot run ${where}: it fails at this statement.`,
        `${OWN_MIGRATION_OUTSIDE_TRANSACTION}\n${asStatement(context.statement.text)}`,
      ),
    ]
  },
}
