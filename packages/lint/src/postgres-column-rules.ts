import type { AlterTableCmd, AlterTableStmt, ColumnDef } from 'libpg-query'
import type { LintRule, RuleHit } from './lint-rule.js'
import { collationOf, constraintsOf, declaresNotNull, nodeOf, relationKey, sqlKey, sqlName, typeText } from './postgres-ast.js'
import { volatileCallIn } from './postgres-expressions.js'
import { dropAfterDeploy, hit, type PostgresContext } from './postgres-rule.js'

type Rule = LintRule<PostgresContext>

/** The commands of an ALTER TABLE on a table that existed before the plan, with the table's key. */
export function alterationsOfExistingTable({
  statement,
  state,
}: PostgresContext): { table: string; commands: AlterTableCmd[] } | undefined {
  const alter: AlterTableStmt | undefined = nodeOf(statement.node, 'AlterTableStmt')
  if (!alter?.relation || (alter.objtype && alter.objtype !== 'OBJECT_TABLE')) return undefined
  const table = relationKey(alter.relation)
  if (state.isNewTable(table)) return undefined
  return { table, commands: (alter.cmds ?? []).flatMap((node) => nodeOf(node, 'AlterTableCmd') ?? []) }
}

/** Each column an ALTER TABLE on an existing table adds. */
export function addedColumns(context: PostgresContext): { table: string; column: ColumnDef }[] {
  const alteration = alterationsOfExistingTable(context)
  if (!alteration) return []
  return alteration.commands.flatMap((command) => {
    const column = command.subtype === 'AT_AddColumn' ? nodeOf(command.def, 'ColumnDef') : undefined
    return column ? [{ table: alteration.table, column }] : []
  })
}

const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2'])

/** Why PostgreSQL must compute a value per existing row for this new column, if it must. */
function rewriteReason(column: ColumnDef, context: PostgresContext): string | undefined {
  const type = typeText(column.typeName) ?? ''
  if (SERIAL_TYPES.has(type)) return `a ${type} column fills every existing row from a sequence`
  for (const constraint of constraintsOf(column)) {
    if (constraint.contype === 'CONSTR_IDENTITY') return 'an identity column fills every existing row from a sequence'
    if (constraint.contype === 'CONSTR_GENERATED' && constraint.generated_kind !== 'v') {
      return 'a stored generated column is computed for every existing row'
    }
    if (constraint.contype === 'CONSTR_DEFAULT') {
      const call = volatileCallIn(constraint.raw_expr, context.state)
      if (call) return `its default calls ${call}, which is volatile, so it is computed for every existing row`
    }
  }
  return undefined
}

export const addColumnVolatileDefault: Rule = {
  id: 'add-column-volatile-default',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'ADD COLUMN whose value is computed per row (volatile default, serial, identity, stored generated) rewrites the table',
  check(context) {
    return addedColumns(context).flatMap(({ table, column }) => {
      const reason = rewriteReason(column, context)
      if (!reason) return []
      const name = sqlName(column.colname ?? '')
      const type = context.textAt(column.typeName?.location) ?? '<type>'
      const defaultText = constraintsOf(column)
        .filter((constraint) => constraint.contype === 'CONSTR_DEFAULT')
        .map((constraint) => context.textAt(nodeOf(constraint.raw_expr, 'FuncCall')?.location ?? locationOf(constraint.raw_expr)))[0]
      const serial = SERIAL_TYPES.has(typeText(column.typeName) ?? '')
      const sequence = sqlName(`${table.split('.').pop()}_${column.colname}_seq`)
      const recipe = [
        `ALTER TABLE ${sqlKey(table)} ADD COLUMN ${name} ${serial ? 'bigint' : type};`,
        serial ? `CREATE SEQUENCE ${sequence} OWNED BY ${sqlKey(table)}.${name};` : undefined,
        serial ? `ALTER TABLE ${sqlKey(table)} ALTER COLUMN ${name} SET DEFAULT nextval('${sequence}');` : undefined,
        defaultText ? `ALTER TABLE ${sqlKey(table)} ALTER COLUMN ${name} SET DEFAULT ${defaultText};` : undefined,
        '-- new rows get the value from now on; fill the existing rows in batches in a later migration (see backfill-in-transaction)',
      ].filter(Boolean)
      return [
        hit(
          `Adding ${name} to ${sqlKey(table)} rewrites the whole table under an ACCESS EXCLUSIVE lock: ${reason}.`,
          recipe.join('\n'),
          context.offsetOf(column.location),
        ),
      ]
    })
  },
}

function locationOf(node: unknown): number | undefined {
  const inner = node && typeof node === 'object' ? (Object.values(node)[0] as { location?: number } | undefined) : undefined
  return inner?.location
}

export const addColumnNotNullWithoutDefault: Rule = {
  id: 'add-column-not-null-without-default',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'ADD COLUMN … NOT NULL without a default fails on a table that has rows',
  check(context) {
    return addedColumns(context).flatMap(({ table, column }) => {
      const constraints = constraintsOf(column)
      const required = declaresNotNull(column)
      const filled =
        SERIAL_TYPES.has(typeText(column.typeName) ?? '') ||
        constraints.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED')
      if (!required || filled) return []
      const name = sqlName(column.colname ?? '')
      const type = context.textAt(column.typeName?.location) ?? '<type>'
      const check = sqlName(`${table.split('.').pop()}_${column.colname}_not_null`)
      return [
        hit(
          `Adding ${name} to ${sqlKey(table)} as NOT NULL without a default fails as soon as the table has a row.`,
          [
            '-- either give it a constant default (no rewrite on PostgreSQL 11+):',
            `ALTER TABLE ${sqlKey(table)} ADD COLUMN ${name} ${type} NOT NULL DEFAULT <value>;`,
            '-- or add it nullable, fill it, then enforce it without a long lock:',
            `ALTER TABLE ${sqlKey(table)} ADD COLUMN ${name} ${type};`,
            `ALTER TABLE ${sqlKey(table)} ADD CONSTRAINT ${check} CHECK (${name} IS NOT NULL) NOT VALID;`,
            '-- in a later migration, once every row has a value:',
            `ALTER TABLE ${sqlKey(table)} VALIDATE CONSTRAINT ${check};`,
            `ALTER TABLE ${sqlKey(table)} ALTER COLUMN ${name} SET NOT NULL;`,
            `ALTER TABLE ${sqlKey(table)} DROP CONSTRAINT ${check};`,
          ].join('\n'),
          context.offsetOf(column.location),
        ),
      ]
    })
  },
}

export const setNotNull: Rule = {
  id: 'set-not-null',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'SET NOT NULL on an existing table scans it under an ACCESS EXCLUSIVE lock, unless a validated CHECK proves it',
  check(context) {
    const alteration = alterationsOfExistingTable(context)
    if (!alteration) return []
    const { table, commands } = alteration
    const checks = [...(context.state.table(table)?.notNullChecks.values() ?? [])]
    return commands.flatMap((command): RuleHit[] => {
      if (command.subtype !== 'AT_SetNotNull' || !command.name) return []
      const column = command.name
      // PostgreSQL skips the scan for a column that is NOT NULL already.
      if (context.state.isNotNull(table, column)) return []
      if (checks.some((check) => check.column === column && check.validated)) return []
      const name = sqlName(column)
      const check = sqlName(`${table.split('.').pop()}_${column}_not_null`)
      return [
        hit(
          `SET NOT NULL on ${sqlKey(table)}.${name} scans the whole table while it blocks reads and writes.`,
          [
            `ALTER TABLE ${sqlKey(table)} ADD CONSTRAINT ${check} CHECK (${name} IS NOT NULL) NOT VALID;`,
            '-- in a later migration (validating takes a lock that lets reads and writes go on):',
            `ALTER TABLE ${sqlKey(table)} VALIDATE CONSTRAINT ${check};`,
            `ALTER TABLE ${sqlKey(table)} ALTER COLUMN ${name} SET NOT NULL;`,
            `ALTER TABLE ${sqlKey(table)} DROP CONSTRAINT ${check};`,
          ].join('\n'),
        ),
      ]
    })
  },
}

const TEMPORAL = new Set(['timestamp', 'timestamptz', 'time', 'timetz'])

/** Whether changing a column from `from` to `to` keeps the stored bytes, so PostgreSQL rewrites nothing. */
export function isBinaryCompatible(from: string, to: string): boolean {
  if (from === to) return true
  const parse = (type: string) => /^(\w+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(type)
  const source = parse(from)
  const target = parse(to)
  if (!source || !target) return false
  const [, sourceName, sourceSize, sourceScale] = source
  const [, targetName, targetSize, targetScale] = target
  const widens = targetSize === undefined || (sourceSize !== undefined && Number(targetSize) >= Number(sourceSize))
  if (sourceName === 'varchar' && (targetName === 'text' || (targetName === 'varchar' && widens))) return true
  if (sourceName === 'text' && targetName === 'varchar' && targetSize === undefined) return true
  if (sourceName === 'numeric' && targetName === 'numeric') return widens && (targetSize === undefined || sourceScale === targetScale)
  if ((sourceName === 'varbit' || sourceName === 'bit') && targetName === 'varbit' && widens) return sourceName === 'varbit'
  // Fractional seconds: no precision is the most (6), and a precision that keeps or adds digits rewrites nothing.
  if (TEMPORAL.has(sourceName as string) && targetName === sourceName) {
    const precision = (size: string | undefined) => (size === undefined ? 6 : Math.min(Number(size), 6))
    return precision(targetSize) >= precision(sourceSize)
  }
  if (sourceName === 'interval' && targetName === 'interval') {
    // interval(range, precision): only the full range (32767), where precision alone decides.
    const full = (size: string | undefined) => size === undefined || size === '32767'
    const precision = (scale: string | undefined) => (scale === undefined ? 6 : Math.min(Number(scale), 6))
    return full(targetSize) && (targetSize === undefined || (full(sourceSize) && precision(targetScale) >= precision(sourceScale)))
  }
  return sourceName === 'cidr' && targetName === 'inet'
}

export const changeColumnType: Rule = {
  id: 'change-column-type',
  dialect: 'postgres',
  defaultLevel: 'error',
  summary: 'ALTER COLUMN … TYPE that changes how values are stored rewrites the table under an ACCESS EXCLUSIVE lock',
  check(context) {
    const alteration = alterationsOfExistingTable(context)
    if (!alteration) return []
    const { table, commands } = alteration
    return commands.flatMap((command): RuleHit[] => {
      const definition = command.subtype === 'AT_AlterColumnType' ? nodeOf(command.def, 'ColumnDef') : undefined
      if (!definition || !command.name) return []
      const known = context.state.table(table)?.columns.get(command.name)
      const from = known?.type
      const to = typeText(definition.typeName)
      const name = sqlName(command.name)
      const type = context.textAt(definition.typeName?.location) ?? to ?? '<type>'
      let message: string
      if (from && to && !definition.raw_default && isBinaryCompatible(from, to)) {
        // The bytes stay; a new collation still orders them differently, so PostgreSQL rebuilds each index on the column.
        const collation = collationOf(definition)
        if (collation === known?.collation || !context.state.mayBeIndexed(table, command.name)) return []
        const was = known?.collation ? `"${known.collation}"` : 'the default'
        message = `Changing the collation of ${sqlKey(table)}.${name} from ${was} to ${collation ? `"${collation}"` : 'the default'} rebuilds its indexes while it blocks reads and writes.`
      } else {
        // PostgreSQL 12+ skips the rewrite for this one change when the session's time zone is UTC, which lint cannot see.
        const unlessUtc =
          from?.startsWith('timestamp') && to === 'timestamptz' ? ' (unless the session time zone is UTC, on PostgreSQL 12+)' : ''
        message = `Changing ${sqlKey(table)}.${name}${from ? ` from ${from}` : ''} to ${type} rewrites the table and its indexes while it blocks reads and writes${unlessUtc}.`
      }
      const next = sqlName(`${command.name}_new`)
      const collate = definition.collClause ? context.textAt(definition.collClause.location) : undefined
      return [
        hit(
          message,
          [
            `ALTER TABLE ${sqlKey(table)} ADD COLUMN ${next} ${type}${collate ? ` ${collate}` : ''};`,
            `-- write both columns from the application, fill ${next} in batches, move reads to it;`,
            ...dropAfterDeploy('drop-column', name, `ALTER TABLE ${sqlKey(table)} DROP COLUMN ${name};`),
          ].join('\n'),
        ),
      ]
    })
  },
}
