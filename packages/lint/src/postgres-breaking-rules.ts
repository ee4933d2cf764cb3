import type { LintRule, RuleHit } from './lint-rule.js'
import { keyOfNames, nodeOf, relationKey, sqlKey, sqlName } from './postgres-ast.js'
import { alterationsOfExistingTable } from './postgres-column-rules.js'
import { dropAfterDeploy, hit, type PostgresContext } from './postgres-rule.js'

type Rule = LintRule<PostgresContext>

export const renameTable: Rule = {
  id: 'rename-table',
  dialect: 'postgres',
  defaultLevel: 'warning',
  summary: 'Renaming a table breaks the running application, which still uses the old name',
  check(context) {
    const { statement, state } = context
    const rename = nodeOf(statement.node, 'RenameStmt')
    if (rename?.renameType !== 'OBJECT_TABLE' || !rename.relation || !rename.newname) return []
    const table = relationKey(rename.relation)
    if (state.isNewTable(table)) return []
    // The recipe itself: a view under the old name keeps the running application working.
    const keepsOldName = context.following().some(({ node }) => relationKey(nodeOf(node, 'ViewStmt')?.view) === table)
    if (keepsOldName) return []
    const target = sqlName(rename.newname)
    return [
      hit(
        `Renaming ${sqlKey(table)} to ${target} breaks every running instance of the application that still queries ${sqlKey(table)}.`,
        [
          '-- rename it and keep the old name working as a view until the application uses the new one:',
          `ALTER TABLE ${sqlKey(table)} RENAME TO ${target};`,
          `CREATE VIEW ${sqlKey(table)} AS SELECT * FROM ${target};`,
          `-- once no deployed code uses ${sqlKey(table)}, in a later migration:`,
          `DROP VIEW ${sqlKey(table)};`,
        ].join('\n'),
      ),
    ]
  },
}

export const renameColumn: Rule = {
  id: 'rename-column',
  dialect: 'postgres',
  defaultLevel: 'warning',
  summary: 'Renaming a column breaks the running application, which still uses the old name',
  check({ statement, state }) {
    const rename = nodeOf(statement.node, 'RenameStmt')
    if (rename?.renameType !== 'OBJECT_COLUMN' || !rename.relation || !rename.subname || !rename.newname) return []
    if (rename.relationType && rename.relationType !== 'OBJECT_TABLE') return []
    const table = relationKey(rename.relation)
    if (state.isNewTable(table) || state.isNewColumn(table, rename.subname)) return []
    const [from, to] = [sqlName(rename.subname), sqlName(rename.newname)]
    return [
      hit(
        `Renaming ${sqlKey(table)}.${from} to ${to} breaks every running instance of the application that still uses ${from}.`,
        [
          `ALTER TABLE ${sqlKey(table)} ADD COLUMN ${to} <type of ${from}>;`,
          `-- write both columns from the application, copy ${from} into ${to} in batches, move reads to ${to};`,
          ...dropAfterDeploy('drop-column', from, `ALTER TABLE ${sqlKey(table)} DROP COLUMN ${from};`),
        ].join('\n'),
      ),
    ]
  },
}

export const dropColumn: Rule = {
  id: 'drop-column',
  dialect: 'postgres',
  defaultLevel: 'warning',
  summary: 'Dropping a column breaks the running application if it still reads or writes it',
  check(context) {
    const alteration = alterationsOfExistingTable(context)
    if (!alteration) return []
    return alteration.commands.flatMap((command): RuleHit[] => {
      if (command.subtype !== 'AT_DropColumn' || !command.name) return []
      if (context.state.isNewColumn(alteration.table, command.name)) return []
      const column = sqlName(command.name)
      return [
        hit(
          `Dropping ${sqlKey(alteration.table)}.${column} breaks any running code that still selects, inserts or updates it.`,
          dropAfterDeploy('drop-column', column, `ALTER TABLE ${sqlKey(alteration.table)} DROP COLUMN ${column};`).join('\n'),
        ),
      ]
    })
  },
}

export const dropTable: Rule = {
  id: 'drop-table',
  dialect: 'postgres',
  defaultLevel: 'warning',
  summary: 'Dropping a table breaks the running application if it still uses it',
  check({ statement, state }) {
    const drop = nodeOf(statement.node, 'DropStmt')
    if (drop?.removeType !== 'OBJECT_TABLE') return []
    return (drop.objects ?? []).flatMap((object): RuleHit[] => {
      const table = keyOfNames(nodeOf(object, 'List')?.items)
      if (state.isNewTable(table)) return []
      // IF EXISTS on a table no earlier migration mentions is a cleanup of leftovers, usually before
      // CREATE TABLE of that name: nothing suggests the application has ever used it.
      if (drop.missing_ok && !state.table(table)) return []
      return [
        hit(
          `Dropping ${sqlKey(table)} breaks any running code that still uses it, and its data is gone for good.`,
          dropAfterDeploy('drop-table', sqlKey(table), `DROP TABLE ${sqlKey(table)};`).join('\n'),
        ),
      ]
    })
  },
}
