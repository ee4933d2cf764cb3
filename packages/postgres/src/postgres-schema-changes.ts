import {
  type ColumnSnapshot,
  normaliseSql,
  pairBy,
  type SchemaChanges,
  type SchemaSnapshot,
  sortSnapshot,
  type TableSnapshot,
  type ViewSnapshot,
  viewsInCreateOrder,
} from '@mig/core'
import {
  quotePostgresIdentifier as identifier,
  quotePostgresLiteral as literal,
  quotePostgresRoutineSignature as signature,
} from './postgres-identifier.js'
import {
  column,
  createTable,
  createView,
  domainsAndCompositeTypes,
  functionsByStage,
  isAddedAfterTables,
  rowLevelSecurity,
  viewsAndReadingFunctions,
} from './postgres-schema-render.js'

const byName = (item: { name: string }) => item.name
const same = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b === undefined : b !== undefined && normaliseSql(a) === normaliseSql(b)

/**
 * The statements that turn `before` into `after`, both from {@link describePostgresSchema}: what
 * goes first drops what depends on other objects (triggers, views, indexes, constraints), then
 * columns and tables, then what they were built on; the rest is created in the order a dump
 * uses. A change PostgreSQL cannot make in place, or one that needs a person's judgement
 * (enum values removed, a partition bound, an identity), is left in `byHand`.
 */
export function renderPostgresChanges(before: SchemaSnapshot, after: SchemaSnapshot): SchemaChanges {
  const from = sortSnapshot(before)
  const to = sortSnapshot(after)
  const drops: string[] = []
  const creates: string[] = []
  const late: string[] = []
  const byHand: string[] = []
  const comment = (kind: string, name: string, text: string | undefined) =>
    `COMMENT ON ${kind} ${name} IS ${text === undefined ? 'NULL' : literal(text)}`

  const triggers = pairBy(from.triggers, to.triggers, (trigger) => `${trigger.table}.${trigger.name}`)
  const changedTriggers = triggers.both.filter(([old, now]) => !same(old.definition, now.definition))
  for (const trigger of [...triggers.removed, ...changedTriggers.map(([old]) => old)]) {
    drops.push(`DROP TRIGGER ${identifier(trigger.name)} ON ${identifier(trigger.table)}`)
  }
  late.push(...[...triggers.added, ...changedTriggers.map(([, now]) => now)].map((trigger) => trigger.definition))

  const views = pairBy(from.views, to.views, byName)
  // PostgreSQL refuses to change a column's type under a view that reads it, so then every view is built again.
  const retyped = pairBy(from.tables, to.tables, byName).both.some(([old, now]) =>
    pairBy(old.columns, now.columns, byName).both.some(([was, is]) => was.type !== is.type),
  )
  const replaced = views.both.filter(
    ([old, now]) => retyped || old.materialized !== now.materialized || !same(old.definition, now.definition),
  )
  const dropView = (view: ViewSnapshot) => `DROP ${view.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${identifier(view.name)}`
  drops.push(
    ...viewsInCreateOrder([...views.removed, ...replaced.map(([old]) => old)])
      .reverse()
      .map(dropView),
  )
  const createdViews = [...views.added, ...replaced.map(([, now]) => now)].map((view) => ({
    name: view.name,
    definition: view.definition,
    statements: [
      createView(view),
      ...(view.indexes ?? []).map((index) => index.definition),
      ...(view.comment === undefined
        ? []
        : [comment(view.materialized ? 'MATERIALIZED VIEW' : 'VIEW', identifier(view.name), view.comment)]),
    ],
  }))
  const viewStatements: string[] = []
  for (const [old, now] of views.both.filter((pair) => !replaced.includes(pair))) {
    const indexes = indexChanges(old.indexes ?? [], now.indexes ?? [])
    drops.push(...indexes.drops)
    viewStatements.push(...indexes.creates)
    if (old.comment !== now.comment)
      viewStatements.push(comment(now.materialized ? 'MATERIALIZED VIEW' : 'VIEW', identifier(now.name), now.comment))
  }

  const tables = pairBy(from.tables, to.tables, byName)
  const tableStatements: string[] = []
  // Foreign keys and NOT VALID constraints, once every table exists.
  const afterTables: string[] = []
  for (const [old, now] of tables.both) changeTable(old, now, { drops, creates: tableStatements, afterTables, byHand, comment })
  if (tables.removed.length) drops.push(`DROP TABLE ${tables.removed.map((table) => identifier(table.name)).join(', ')}`)
  for (const table of tables.added) {
    creates.push(createTable(table))
    afterTables.push(...constraintsOf(table, true).map((constraint) => addConstraint(table, constraint)))
    tableStatements.push(...table.indexes.map((index) => (index.definition ?? '').replace(/ ON ONLY /, ' ON ')))
    tableStatements.push(...rowLevelSecurity(table))
    if (table.comment !== undefined) tableStatements.push(comment('TABLE', identifier(table.name), table.comment))
    for (const added of table.columns.filter((item) => item.comment !== undefined)) {
      tableStatements.push(comment('COLUMN', `${identifier(table.name)}.${identifier(added.name)}`, added.comment))
    }
  }

  const functions = pairBy(from.functions, to.functions, byName)
  const changedFunctions = functions.both.filter(([old, now]) => !same(old.definition, now.definition)).map(([, now]) => now)
  drops.push(...functions.removed.map((routine) => `DROP ROUTINE ${signature(routine.name)}`))
  const staged = functionsByStage({ ...to, functions: [...functions.added, ...changedFunctions] })

  const domains = pairBy(from.domains, to.domains, byName)
  const types = pairBy(from.types ?? [], to.types ?? [], byName)
  const enums = pairBy(from.enums, to.enums, byName)
  const sequences = pairBy(from.sequenceDefinitions ?? [], to.sequenceDefinitions ?? [], byName)
  const extensions = pairBy(from.extensions ?? [], to.extensions ?? [], (name) => name)
  const standalone = new Set([...from.sequences, ...to.sequences])
  drops.push(
    ...domains.removed.map((domain) => `DROP DOMAIN ${identifier(domain.name)}`),
    ...[...types.removed, ...enums.removed].map((type) => `DROP TYPE ${identifier(type.name)}`),
    ...sequences.removed
      .filter((sequence) => standalone.has(sequence.name))
      .map((sequence) => `DROP SEQUENCE ${identifier(sequence.name)}`),
    ...extensions.removed.map((name) => `DROP EXTENSION ${identifier(name)}`),
  )
  for (const [old, now] of enums.both) {
    const kept = now.values.filter((value) => old.values.includes(value))
    if (kept.join('\n') !== old.values.join('\n')) {
      byHand.push(`enum ${now.name}: values (${old.values.join(', ')}) become (${now.values.join(', ')}); PostgreSQL only adds values`)
      continue
    }
    for (const value of now.values.filter((item) => !old.values.includes(item))) {
      const index = now.values.indexOf(value)
      const place = index === 0 ? `BEFORE ${literal(now.values[1] ?? '')}` : `AFTER ${literal(now.values[index - 1] ?? '')}`
      creates.push(`ALTER TYPE ${identifier(now.name)} ADD VALUE ${literal(value)} ${place}`)
    }
  }
  for (const [kind, pairs] of [
    ['domain', domains.both],
    ['type', types.both],
  ] as const) {
    for (const [old, now] of pairs)
      if (!same(old.definition, now.definition)) byHand.push(`${kind} ${now.name}: ${old.definition} becomes ${now.definition}`)
  }
  for (const [old, now] of sequences.both) {
    if (!same(old.definition, now.definition)) creates.push(`ALTER SEQUENCE ${identifier(now.name)} ${now.definition}`)
  }

  const statements = [
    ...drops,
    ...extensions.added.map((name) => `CREATE EXTENSION IF NOT EXISTS ${identifier(name)}`),
    // A serial column's sequence too: its table's default names it, and it is owned once the table
    // exists. A domain's default may name one as well.
    ...sequences.added.map((sequence) => `CREATE SEQUENCE ${identifier(sequence.name)} ${sequence.definition}`),
    ...enums.added.map((type) => `CREATE TYPE ${identifier(type.name)} AS ENUM (${type.values.map(literal).join(', ')})`),
    ...types.added.filter((type) => type.kind === 'range').map((type) => `CREATE TYPE ${identifier(type.name)} AS ${type.definition}`),
    ...staged.basic,
    ...domainsAndCompositeTypes(
      domains.added,
      types.added.filter((type) => type.kind === 'composite'),
    ),
    ...staged.onTypes,
    ...creates,
    ...tableStatements,
    ...ownedSequences(tables.added, tables.both),
    ...afterTables,
    ...staged.onTables,
    ...viewsAndReadingFunctions(createdViews, staged.readingRelations),
    ...viewStatements,
    ...staged.onViews,
    ...late,
  ]
  return { statements: statements.map((statement) => `${statement.trim().replace(/;\s*$/, '')};`), byHand }
}

interface TableChanges {
  readonly drops: string[]
  readonly creates: string[]
  readonly afterTables: string[]
  readonly byHand: string[]
  readonly comment: (kind: string, name: string, text: string | undefined) => string
}

function changeTable(old: TableSnapshot, now: TableSnapshot, changes: TableChanges): void {
  const { drops, creates, byHand, comment } = changes
  const table = identifier(now.name)
  const alter = (change: string) => `ALTER TABLE ${table} ${change}`
  const constraints = pairBy(old.constraints ?? [], now.constraints ?? [], byName)
  const changedConstraints = constraints.both.filter(([was, is]) => !same(was.definition, is.definition))
  for (const constraint of [...constraints.removed, ...changedConstraints.map(([was]) => was)]) {
    drops.push(alter(`DROP CONSTRAINT ${identifier(constraint.name)}`))
  }
  const indexes = indexChanges(old.indexes, now.indexes)
  drops.push(...indexes.drops)
  // Policies and indexes go before the columns they name.
  const policies = pairBy(old.policies ?? [], now.policies ?? [], byName)
  const changedPolicies = policies.both.filter(([was, is]) => !same(was.definition, is.definition))
  for (const policy of [...policies.removed, ...changedPolicies.map(([was]) => was)])
    drops.push(`DROP POLICY ${identifier(policy.name)} ON ${table}`)

  const columns = pairBy(old.columns, now.columns, byName)
  drops.push(...columns.removed.map((item) => alter(`DROP COLUMN ${identifier(item.name)}`)))
  creates.push(...columns.added.map((item) => alter(`ADD COLUMN ${column(item)}`)))
  for (const [was, is] of columns.both) changeColumn(was, is, { table, alter, creates, byHand, comment })
  for (const added of columns.added.filter((item) => item.comment !== undefined)) {
    creates.push(comment('COLUMN', `${table}.${identifier(added.name)}`, added.comment))
  }

  creates.push(...indexes.creates)
  for (const [, constraint] of changedConstraints)
    (isAddedAfterTables(constraint.definition) ? changes.afterTables : creates).push(addConstraint(now, constraint))
  for (const constraint of constraints.added)
    (isAddedAfterTables(constraint.definition) ? changes.afterTables : creates).push(addConstraint(now, constraint))

  if (old.rowLevelSecurity !== now.rowLevelSecurity) {
    creates.push(alter(now.rowLevelSecurity ? 'ENABLE ROW LEVEL SECURITY' : 'DISABLE ROW LEVEL SECURITY'))
    if (now.rowLevelSecurity === 'forced' || old.rowLevelSecurity === 'forced') {
      creates.push(alter(now.rowLevelSecurity === 'forced' ? 'FORCE ROW LEVEL SECURITY' : 'NO FORCE ROW LEVEL SECURITY'))
    }
  }
  for (const policy of [...policies.added, ...changedPolicies.map(([, is]) => is)]) {
    creates.push(`CREATE POLICY ${identifier(policy.name)} ON ${table} ${policy.definition}`)
  }
  if (
    old.partitionBy !== now.partitionBy ||
    old.partitionOf?.bound !== now.partitionOf?.bound ||
    old.partitionOf?.parent !== now.partitionOf?.parent
  ) {
    byHand.push(`table ${now.name}: its partitioning changed; a table is partitioned only when it is created`)
  }
  if (old.comment !== now.comment) creates.push(comment('TABLE', table, now.comment))
}

function changeColumn(
  was: ColumnSnapshot,
  is: ColumnSnapshot,
  {
    table,
    alter,
    creates,
    byHand,
    comment,
  }: { table: string; alter: (change: string) => string } & Omit<TableChanges, 'drops' | 'afterTables'>,
): void {
  const name = identifier(is.name)
  if (was.identity !== is.identity || !same(was.generated?.expression, is.generated?.expression) || was.collation !== is.collation) {
    byHand.push(`column ${table}.${is.name}: its identity, generated expression or collation changed`)
  }
  if (was.type !== is.type) creates.push(alter(`ALTER COLUMN ${name} TYPE ${is.type} USING ${name}::${is.type}`))
  if (!same(was.default, is.default) && !is.identity && !is.generated) {
    creates.push(alter(`ALTER COLUMN ${name} ${is.default === undefined ? 'DROP DEFAULT' : `SET DEFAULT ${is.default}`}`))
  }
  if (was.nullable !== is.nullable) creates.push(alter(`ALTER COLUMN ${name} ${is.nullable ? 'DROP' : 'SET'} NOT NULL`))
  if (was.comment !== is.comment) creates.push(comment('COLUMN', `${table}.${name}`, is.comment))
}

/** Indexes dropped (removed or changed) and created (added or changed), paired by name. */
function indexChanges(old: readonly { name: string; definition?: string }[], now: readonly { name: string; definition?: string }[]) {
  const indexes = pairBy(old, now, byName)
  const changed = indexes.both.filter(([was, is]) => !same(was.definition, is.definition))
  return {
    drops: [...indexes.removed, ...changed.map(([was]) => was)].map((index) => `DROP INDEX ${identifier(index.name)}`),
    creates: [...indexes.added, ...changed.map(([, is]) => is)].map((index) => (index.definition ?? '').replace(/ ON ONLY /, ' ON ')),
  }
}

/** The sequences that columns new in `after` own, as a dump sets them. */
function ownedSequences(added: readonly TableSnapshot[], both: readonly [TableSnapshot, TableSnapshot][]): string[] {
  const newColumns = [
    ...added.flatMap((table) => table.columns.map((item) => [table, item] as const)),
    ...both.flatMap(([old, now]) => pairBy(old.columns, now.columns, byName).added.map((item) => [now, item] as const)),
  ]
  return newColumns
    .filter(([, item]) => item.sequence)
    .map(
      ([table, item]) =>
        `ALTER SEQUENCE ${identifier(item.sequence as string)} OWNED BY ${identifier(table.name)}.${identifier(item.name)}`,
    )
}

function constraintsOf(table: TableSnapshot, afterTables: boolean) {
  return (table.constraints ?? []).filter((constraint) => isAddedAfterTables(constraint.definition) === afterTables)
}

function addConstraint(table: TableSnapshot, constraint: { name: string; definition: string }): string {
  return `ALTER TABLE ${identifier(table.name)} ADD CONSTRAINT ${identifier(constraint.name)} ${constraint.definition}`
}
