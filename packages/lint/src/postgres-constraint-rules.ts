import type { Constraint } from 'libpg-query'
import type { LintRule, RuleHit } from './lint-rule.js'
import { constraintsOf, namesOf, nodeOf, relationKey, sqlKey, sqlName } from './postgres-ast.js'
import { addedColumns, alterationsOfExistingTable } from './postgres-column-rules.js'
import { hit, OWN_MIGRATION_OUTSIDE_TRANSACTION, type PostgresContext } from './postgres-rule.js'

type Rule = LintRule<PostgresContext>

/** Each constraint an ALTER TABLE on an existing table adds, with the column it comes with, if any. */
function addedConstraints(context: PostgresContext): { table: string; constraint: Constraint; column?: string }[] {
  const alteration = alterationsOfExistingTable(context)
  if (!alteration) return []
  const table = alteration.table
  const standalone = alteration.commands.flatMap((command) => {
    const constraint = command.subtype === 'AT_AddConstraint' ? nodeOf(command.def, 'Constraint') : undefined
    return constraint ? [{ table, constraint }] : []
  })
  const inline = addedColumns(context).flatMap(({ column }) =>
    constraintsOf(column).map((constraint) => ({ table, constraint, column: column.colname ?? '' })),
  )
  return [...standalone, ...inline]
}

/** VALIDATE CONSTRAINT of a constraint this same transactional migration added NOT VALID. */
function validatedInSameTransaction(context: PostgresContext, kind: 'check' | 'foreign-key'): RuleHit[] {
  if (!context.transaction) return []
  const alteration = alterationsOfExistingTable(context)
  if (!alteration) return []
  return alteration.commands.flatMap((command) => {
    if (command.subtype !== 'AT_ValidateConstraint' || !command.name) return []
    if (context.state.addedNotValidHere(alteration.table, command.name) !== kind) return []
    return [
      hit(
        `VALIDATE CONSTRAINT ${sqlName(command.name)} runs in the transaction that added it NOT VALID, so the lock taken to add it is held through the whole scan.`,
        `-- in a later migration than the one that adds it NOT VALID:\nALTER TABLE ${sqlKey(alteration.table)} VALIDATE CONSTRAINT ${sqlName(command.name)};`,
      ),
    ]
  })
}

function notValidRecipe(context: PostgresContext, table: string, constraint: Constraint, fallbackName: string): string {
  const name = sqlName(constraint.conname ?? fallbackName)
  const definition = context.statement.text.trim().replace(/;\s*$/, '')
  const single = (nodeOf(context.statement.node, 'AlterTableStmt')?.cmds?.length ?? 0) === 1 && constraint.conname
  return [
    single ? `${definition} NOT VALID;` : `ALTER TABLE ${sqlKey(table)} ADD CONSTRAINT ${name} <definition> NOT VALID;`,
    '-- in a later migration (validating lets reads and writes go on):',
    `ALTER TABLE ${sqlKey(table)} VALIDATE CONSTRAINT ${name};`,
  ].join('\n')
}

export const addCheckWithoutNotValid: Rule = {
  id: 'add-check-without-not-valid',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'ADD CHECK without NOT VALID on an existing table scans it under an ACCESS EXCLUSIVE lock',
  check(context) {
    const added = addedConstraints(context).flatMap(({ table, constraint, column }): RuleHit[] => {
      if (constraint.contype !== 'CONSTR_CHECK' || constraint.skip_validation || column !== undefined) return []
      return [
        hit(
          `Adding CHECK ${constraint.conname ? `${sqlName(constraint.conname)} ` : ''}to ${sqlKey(table)} scans every row while it blocks reads and writes.`,
          notValidRecipe(context, table, constraint, `${table.split('.').pop()}_check`),
          context.offsetOf(constraint.location),
        ),
      ]
    })
    return [...added, ...validatedInSameTransaction(context, 'check')]
  },
}

export const addForeignKeyWithoutNotValid: Rule = {
  id: 'add-foreign-key-without-not-valid',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'ADD FOREIGN KEY without NOT VALID on an existing table blocks writes to both tables while every row is checked',
  check(context) {
    const added = addedConstraints(context).flatMap(({ table, constraint, column }): RuleHit[] => {
      if (constraint.contype !== 'CONSTR_FOREIGN' || constraint.skip_validation) return []
      const referenced = constraint.pktable ? sqlKey(relationKey(constraint.pktable)) : 'the referenced table'
      const name = constraint.conname ?? `${table.split('.').pop()}_${column ?? namesOf(constraint.fk_attrs).join('_')}_fkey`
      const recipe =
        column === undefined
          ? notValidRecipe(context, table, constraint, name)
          : [
              `ALTER TABLE ${sqlKey(table)} ADD COLUMN ${sqlName(column)} <type>;`,
              `ALTER TABLE ${sqlKey(table)} ADD CONSTRAINT ${sqlName(name)} FOREIGN KEY (${sqlName(column)}) REFERENCES ${referenced} NOT VALID;`,
              '-- in a later migration:',
              `ALTER TABLE ${sqlKey(table)} VALIDATE CONSTRAINT ${sqlName(name)};`,
            ].join('\n')
      return [
        hit(
          `Adding a foreign key from ${sqlKey(table)} to ${referenced} blocks writes to both tables while every row is checked.`,
          recipe,
          context.offsetOf(constraint.location),
        ),
      ]
    })
    return [...added, ...validatedInSameTransaction(context, 'foreign-key')]
  },
}

function indexFirstRecipe(table: string, constraint: Constraint, column: string | undefined, kind: 'UNIQUE' | 'PRIMARY KEY'): string {
  const columns = column !== undefined ? [column] : namesOf(constraint.keys)
  const name = sqlName(constraint.conname ?? `${table.split('.').pop()}_${kind === 'UNIQUE' ? `${columns.join('_')}_key` : 'pkey'}`)
  return [
    column !== undefined ? `ALTER TABLE ${sqlKey(table)} ADD COLUMN ${sqlName(column)} <type>;` : undefined,
    OWN_MIGRATION_OUTSIDE_TRANSACTION,
    `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${sqlKey(table)} (${columns.map(sqlName).join(', ')});`,
    '-- then, in the next migration:',
    `ALTER TABLE ${sqlKey(table)} ADD CONSTRAINT ${name} ${kind} USING INDEX ${name};`,
  ]
    .filter(Boolean)
    .join('\n')
}

export const addUniqueWithoutIndex: Rule = {
  id: 'add-unique-without-index',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'ADD UNIQUE (or EXCLUDE) on an existing table builds its index under a lock that blocks reads and writes',
  check(context) {
    return addedConstraints(context).flatMap(({ table, constraint, column }): RuleHit[] => {
      const kind = constraint.contype
      if ((kind !== 'CONSTR_UNIQUE' && kind !== 'CONSTR_EXCLUSION') || constraint.indexname) return []
      return [
        hit(
          `Adding ${kind === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'EXCLUDE'} to ${sqlKey(table)} builds its index while it blocks reads and writes.`,
          kind === 'CONSTR_UNIQUE'
            ? indexFirstRecipe(table, constraint, column, 'UNIQUE')
            : `${OWN_MIGRATION_OUTSIDE_TRANSACTION}\n-- build what the constraint protects with CREATE INDEX CONCURRENTLY, then add the constraint when the table is quiet`,
          context.offsetOf(constraint.location),
        ),
      ]
    })
  },
}

export const addPrimaryKeyWithoutIndex: Rule = {
  id: 'add-primary-key-without-index',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'ADD PRIMARY KEY on an existing table builds its index under a lock that blocks reads and writes',
  check(context) {
    return addedConstraints(context).flatMap(({ table, constraint, column }): RuleHit[] => {
      if (constraint.contype !== 'CONSTR_PRIMARY' || constraint.indexname) return []
      return [
        hit(
          `Adding a primary key to ${sqlKey(table)} builds its index while it blocks reads and writes.`,
          indexFirstRecipe(table, constraint, column, 'PRIMARY KEY'),
          context.offsetOf(constraint.location),
        ),
      ]
    })
  },
}
