import {
  type ColumnSnapshot,
  type NamedDefinition,
  type SchemaSnapshot,
  sortSnapshot,
  type TableSnapshot,
  type TypeSnapshot,
  type ViewSnapshot,
  viewsInCreateOrder,
} from '@mig/core'
import {
  quotePostgresIdentifier as identifier,
  quotePostgresLiteral as literal,
  postgresRoutineArguments,
  quotePostgresRoutineSignature as signature,
} from './postgres-identifier.js'

const HEADER = '-- The schema, written by mig dump from the database catalogs. Do not edit: run mig dump again.'

/**
 * A snapshot from {@link describePostgresSchema} as a SQL script that builds it in an empty
 * schema, objects in dependency order, the same bytes for the same snapshot. Foreign keys come
 * after every table, so tables that reference each other load in any order.
 */
export function renderPostgresSchema(snapshot: SchemaSnapshot): string {
  const schema = sortSnapshot(snapshot)
  const tables = tablesInCreateOrder(schema.tables)
  const functions = functionsByStage(schema)
  const statements = [
    // Function bodies may name tables that come later in the script.
    'SET check_function_bodies = false',
    ...(schema.extensions ?? []).map((name) => `CREATE EXTENSION IF NOT EXISTS ${identifier(name)}`),
    // A sequence's type is a built-in integer type, and a domain's or a table's default may call nextval on it.
    ...(schema.sequenceDefinitions ?? []).map((sequence) => `CREATE SEQUENCE ${identifier(sequence.name)} ${sequence.definition}`),
    ...schema.enums.map((type) => `CREATE TYPE ${identifier(type.name)} AS ENUM (${type.values.map(literal).join(', ')})`),
    ...rangeTypes(schema),
    ...functions.basic,
    ...domainsAndCompositeTypes(schema.domains, compositeTypes(schema)),
    ...functions.onTypes,
    ...tables.map(createTable),
    ...tables.flatMap((table) =>
      (table.partitionOf ? localConstraints(table) : []).map(
        (constraint) => `ALTER TABLE ${identifier(table.name)} ADD CONSTRAINT ${identifier(constraint.name)} ${constraint.definition}`,
      ),
    ),
    ...functions.onTables,
    ...viewsAndReadingFunctions(
      schema.views.map((view) => ({ name: view.name, definition: view.definition, statements: [createView(view)] })),
      functions.readingRelations,
    ),
    ...functions.onViews,
    // An index on a partitioned table is created on its partitions too. Indexes come before
    // foreign keys: a foreign key may reference columns that only a unique index covers.
    ...tables.flatMap((table) => table.indexes.map((index) => (index.definition ?? '').replace(/ ON ONLY /, ' ON '))),
    ...tables.flatMap((table) =>
      (table.constraints ?? [])
        .filter((constraint) => isAddedAfterTables(constraint.definition))
        .map(
          (constraint) => `ALTER TABLE ${identifier(table.name)} ADD CONSTRAINT ${identifier(constraint.name)} ${constraint.definition}`,
        ),
    ),
    ...schema.views.flatMap((view) => (view.indexes ?? []).map((index) => index.definition)),
    ...tables.flatMap((table) =>
      table.columns
        .filter((column) => column.sequence)
        .map(
          (column) =>
            `ALTER SEQUENCE ${identifier(column.sequence as string)} OWNED BY ${identifier(table.name)}.${identifier(column.name)}`,
        ),
    ),
    ...schema.triggers.map((trigger) => trigger.definition),
    ...tables.flatMap(rowLevelSecurity),
    ...comments(schema, tables),
  ]
  return `${HEADER}\n\n${statements.map((statement) => `${statement.replace(/;\s*$/, '')};`).join('\n\n')}\n`
}

type FunctionStage = 'basic' | 'onTypes' | 'onTables' | 'readingRelations' | 'onViews'

/**
 * Functions in groups, by the types their arguments and result name: a function's body is not
 * checked while the script runs, but its signature is. A domain's check may call a function of
 * base types; a function may take a domain, a composite type, or the row type of a table or view.
 * A SQL-standard body (`BEGIN ATOMIC`, `RETURN`) is parsed when the function is created, so one
 * that names a table or a view, or another such function, is created among the views
 * ({@link viewsAndReadingFunctions}).
 */
export function functionsByStage(schema: SchemaSnapshot): Record<FunctionStage, string[]> {
  const stages: Record<FunctionStage, string[]> = { basic: [], onTypes: [], onTables: [], readingRelations: [], onViews: [] }
  const names = (items: readonly { name: string }[]) => new Set(items.map((item) => item.name))
  const types = names([...schema.domains, ...compositeTypes(schema)])
  const tables = names(schema.tables)
  const views = names(schema.views)
  const reading = functionsReadingRelations(schema.functions, new Set([...tables, ...views]))
  for (const routine of schema.functions) {
    const result = /\n\s*RETURNS ([^\n]*)/.exec(routine.definition)?.[1] ?? ''
    const named = signatureNames(`${postgresRoutineArguments(routine.name)} ${result}`)
    const stage = named.some((name) => views.has(name))
      ? 'onViews'
      : reading.has(routine)
        ? 'readingRelations'
        : named.some((name) => tables.has(name))
          ? 'onTables'
          : named.some((name) => types.has(name))
            ? 'onTypes'
            : 'basic'
    stages[stage].push(routine.definition.trim())
  }
  return stages
}

/** Functions with a SQL-standard body that names a relation, or another function of the kind. */
function functionsReadingRelations(functions: readonly NamedDefinition[], relations: ReadonlySet<string>): Set<NamedDefinition> {
  const standard = functions.filter((routine) => routine.parts && routine.parts.body === undefined)
  const reading = new Set<NamedDefinition>()
  let grown = true
  while (grown) {
    grown = false
    const readers = new Set([...reading].map((routine) => functionName(routine.definition)))
    for (const routine of standard) {
      if (reading.has(routine)) continue
      // The body only: a header word such as LANGUAGE may be a table's name too.
      const named = signatureNames(routine.definition.slice(routine.definition.search(/^(?:BEGIN ATOMIC|RETURN)\b/m)))
      if (named.some((name) => relations.has(name) || readers.has(name))) {
        reading.add(routine)
        grown = true
      }
    }
  }
  return reading
}

/** The name of the function a `CREATE OR REPLACE FUNCTION|PROCEDURE` statement creates, as the catalog spells it. */
function functionName(definition: string): string {
  const quoted = /^\s*CREATE OR REPLACE (?:FUNCTION|PROCEDURE) (?:"((?:[^"]|"")*)"|([^\s(]+))/.exec(definition)
  return quoted?.[1]?.replace(/""/g, '"') ?? quoted?.[2] ?? ''
}

/**
 * Views, and the functions that {@link functionsByStage} puts among them, each after the views and
 * functions it names; `statements` create each view.
 */
export function viewsAndReadingFunctions(
  views: readonly { name: string; definition: string; statements: readonly string[] }[],
  functions: readonly string[],
): string[] {
  const routines = functions.map((definition) => ({ name: functionName(definition), definition, statements: [definition] }))
  return viewsInCreateOrder([...views, ...routines]).flatMap((item) => item.statements)
}

/** Domains and composite types, each after those it names: a domain may be over a composite type, whose attribute may be a domain. */
export function domainsAndCompositeTypes(domains: readonly NamedDefinition[], types: readonly NamedDefinition[]): string[] {
  return viewsInCreateOrder([
    ...domains.map((domain) => ({ ...domain, statement: `CREATE DOMAIN ${identifier(domain.name)} AS ${domain.definition}` })),
    ...types.map((type) => ({ ...type, statement: `CREATE TYPE ${identifier(type.name)} AS ${type.definition}` })),
  ]).map((item) => item.statement)
}

function compositeTypes(schema: SchemaSnapshot): TypeSnapshot[] {
  return (schema.types ?? []).filter((type) => type.kind === 'composite')
}

/** The names a signature mentions, as the catalog spells them: quoted ones as written, others in lower case. */
function signatureNames(signature: string): string[] {
  return [...signature.matchAll(/"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*)/g)].map((match) =>
    match[1] !== undefined ? match[1].replace(/""/g, '"') : (match[2] as string).toLowerCase(),
  )
}

function rangeTypes(schema: SchemaSnapshot): string[] {
  return (schema.types ?? [])
    .filter((type) => type.kind === 'range')
    .map((type) => `CREATE TYPE ${identifier(type.name)} AS ${type.definition}`)
}

export function createTable(table: TableSnapshot): string {
  const partitionBy = table.partitionBy ? ` PARTITION BY ${table.partitionBy}` : ''
  if (table.partitionOf) {
    return `CREATE TABLE ${identifier(table.name)} PARTITION OF ${identifier(table.partitionOf.parent)} ${table.partitionOf.bound}${partitionBy}`
  }
  const items = [
    ...table.columns.map(column),
    ...localConstraints(table).map((constraint) => `CONSTRAINT ${identifier(constraint.name)} ${constraint.definition}`),
  ]
  return `CREATE TABLE ${identifier(table.name)} (${items.length ? `\n  ${items.join(',\n  ')}\n` : ''})${partitionBy}`
}

export function column(snapshot: ColumnSnapshot): string {
  const parts = [identifier(snapshot.name), snapshot.type]
  if (snapshot.collation) parts.push(`COLLATE ${snapshot.collation}`)
  if (snapshot.generated) parts.push(`GENERATED ALWAYS AS (${snapshot.generated.expression}) STORED`)
  else if (snapshot.identity) parts.push(`GENERATED ${snapshot.identity} AS IDENTITY`)
  else if (snapshot.default !== undefined) parts.push(`DEFAULT ${snapshot.default}`)
  if (!snapshot.nullable) parts.push('NOT NULL')
  return parts.join(' ')
}

/** Every constraint but those added once all tables exist. */
export function localConstraints(table: TableSnapshot): { name: string; definition: string }[] {
  return (table.constraints ?? []).filter((constraint) => !isAddedAfterTables(constraint.definition))
}

/**
 * A foreign key, which may reference a table created later, or a NOT VALID constraint, which
 * CREATE TABLE would mark valid: each is added by ALTER TABLE once all tables exist.
 */
export function isAddedAfterTables(definition: string): boolean {
  return /^FOREIGN KEY\b/.test(definition) || /\bNOT VALID$/.test(definition)
}

export function createView(view: ViewSnapshot): string {
  return `CREATE ${view.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${identifier(view.name)} AS\n${view.definition.replace(/;\s*$/, '')}`
}

export function rowLevelSecurity(table: TableSnapshot): string[] {
  const name = identifier(table.name)
  return [
    ...(table.rowLevelSecurity ? [`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`] : []),
    ...(table.rowLevelSecurity === 'forced' ? [`ALTER TABLE ${name} FORCE ROW LEVEL SECURITY`] : []),
    ...(table.policies ?? []).map((policy) => `CREATE POLICY ${identifier(policy.name)} ON ${name} ${policy.definition}`),
  ]
}

function comments(schema: SchemaSnapshot, tables: readonly TableSnapshot[]): string[] {
  const comment = (kind: string, name: string, text: string | undefined) =>
    text === undefined ? [] : [`COMMENT ON ${kind} ${name} IS ${literal(text)}`]
  return [
    ...tables.flatMap((table) => [
      ...comment('TABLE', identifier(table.name), table.comment),
      ...table.columns.flatMap((column) => comment('COLUMN', `${identifier(table.name)}.${identifier(column.name)}`, column.comment)),
    ]),
    ...schema.views.flatMap((view) => comment(view.materialized ? 'MATERIALIZED VIEW' : 'VIEW', identifier(view.name), view.comment)),
    ...schema.functions.flatMap((routine) => comment('ROUTINE', signature(routine.name), routine.comment)),
    ...schema.domains.flatMap((domain) => comment('DOMAIN', identifier(domain.name), domain.comment)),
    ...(schema.types ?? []).flatMap((type) => comment('TYPE', identifier(type.name), type.comment)),
  ]
}

/** Tables before their partitions, otherwise by name. */
function tablesInCreateOrder(tables: readonly TableSnapshot[]): TableSnapshot[] {
  const byName = new Map(tables.map((table) => [table.name, table]))
  const depth = (table: TableSnapshot): number => {
    const parent = table.partitionOf && byName.get(table.partitionOf.parent)
    return parent ? depth(parent) + 1 : 0
  }
  return [...tables].sort((a, b) => depth(a) - depth(b))
}
