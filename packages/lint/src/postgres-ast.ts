import type { ColumnDef, Constraint, Node, RangeVar, TypeName } from 'libpg-query'

type KeysOf<T> = T extends unknown ? keyof T : never
export type NodeKind = KeysOf<Node>
export type NodeOf<Kind extends NodeKind> = Extract<Node, { [Key in Kind]: unknown }>[Kind]

/** The node inside a `{ Kind: node }` wrapper, if it is of that kind. */
export function nodeOf<Kind extends NodeKind>(node: Node | undefined, kind: Kind): NodeOf<Kind> | undefined {
  return node !== undefined && kind in node ? (node as unknown as Record<Kind, NodeOf<Kind>>)[kind] : undefined
}

/** The schema state's key of a table or index: `name`, or `schema.name` outside `public`. */
export function relationKey(relation: RangeVar | undefined): string {
  return objectKey(relation?.schemaname, relation?.relname ?? '')
}

export function objectKey(schema: string | undefined, name: string): string {
  return schema && schema !== 'public' ? `${schema}.${name}` : name
}

/** `["app", "email_idx"]` from a qualified name list, as in DROP INDEX app.email_idx. */
export function namesOf(list: readonly Node[] | undefined): string[] {
  return (list ?? []).map((item) => nodeOf(item, 'String')?.sval ?? '')
}

/** The key of a qualified name list. */
export function keyOfNames(list: readonly Node[] | undefined): string {
  const names = namesOf(list)
  return objectKey(names.length > 1 ? names[names.length - 2] : undefined, names[names.length - 1] ?? '')
}

/** The column constraints of a column definition. */
export function constraintsOf(column: ColumnDef): Constraint[] {
  return (column.constraints ?? []).flatMap((node) => nodeOf(node, 'Constraint') ?? [])
}

/** Whether a column definition makes the column NOT NULL, directly or as (part of) a primary key. */
export function declaresNotNull(column: ColumnDef): boolean {
  return Boolean(column.is_not_null) || constraintsOf(column).some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY')
}

/** The collation a column definition names (`C` of `COLLATE pg_catalog."C"`); undefined for the type's default. */
export function collationOf(column: ColumnDef | undefined): string | undefined {
  const names = namesOf(column?.collClause?.collname)
  const name = names[names.length - 1]
  return name === 'default' ? undefined : name
}

const TYPE_ALIASES: Record<string, string> = {
  integer: 'int4',
  int: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  'timestamp with time zone': 'timestamptz',
  decimal: 'numeric',
  boolean: 'bool',
}

/** A type as `name(mod, …)[]`, with PostgreSQL's internal names: `varchar(20)`, `int4`, `numeric(10,2)`. */
export function typeText(type: TypeName | undefined): string | undefined {
  const names = namesOf(type?.names)
  const name = names[names.length - 1]
  if (!name) return undefined
  const base = TYPE_ALIASES[name] ?? name
  const modifiers = (type?.typmods ?? []).map(constantOf)
  const array = type?.arrayBounds?.length ? '[]'.repeat(type.arrayBounds.length) : ''
  return `${base}${modifiers.length ? `(${modifiers.join(',')})` : ''}${array}`
}

/** The text of a constant; the parser leaves zero values out, so an empty `ival` is 0. */
function constantOf(node: Node): string {
  const constant = nodeOf(node, 'A_Const')
  if (constant?.ival !== undefined) return String(constant.ival.ival ?? 0)
  return constant?.sval?.sval ?? constant?.fval?.fval ?? '?'
}

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/
const RESERVED = new Set(['user', 'order', 'group', 'table', 'select', 'where', 'from', 'to', 'check', 'default', 'primary', 'references'])

/** An identifier as one writes it: bare when PostgreSQL would read it back unchanged, else quoted. */
export function sqlName(name: string): string {
  return PLAIN_IDENTIFIER.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`
}

/** A table or index key (`schema.name` or `name`) as one writes it. */
export function sqlKey(key: string): string {
  return key.split('.').map(sqlName).join('.')
}
