import type { SchemaObjectRef, SqlStatement } from './driver.js'
import { escapeRegExp, names, wordsOf } from './schema-order.js'
import type { SchemaSnapshot, TableSnapshot } from './schema-snapshot.js'

type Kind = SchemaObjectRef['kind']

/** What an object of each kind can depend on by naming it, besides a table's keys and partitions. */
const NAMES: Readonly<Record<Kind, readonly Kind[]>> = {
  view: ['view', 'materialized-view', 'table', 'routine', 'domain', 'type', 'enum', 'sequence'],
  'materialized-view': ['view', 'materialized-view', 'table', 'routine', 'domain', 'type', 'enum', 'sequence'],
  // Defaults, checks, generated columns, index expressions and triggers call routines.
  table: ['routine', 'domain', 'type', 'enum', 'sequence'],
  // A routine takes or returns a table's or view's row type, and a `BEGIN ATOMIC` body reads them.
  routine: ['view', 'materialized-view', 'table', 'routine', 'domain', 'type', 'enum', 'sequence'],
  domain: ['routine', 'domain', 'type', 'enum', 'sequence'],
  type: ['table', 'view', 'materialized-view', 'routine', 'domain', 'type', 'enum'],
  enum: [],
  sequence: [],
  extension: [],
}

interface DropNode {
  readonly ref: SchemaObjectRef
  readonly text: string
  readonly words: ReadonlySet<string>
  /** The nodes that must be dropped before this one: those that depend on it. */
  dependents: number
  readonly dependencies: DropNode[]
}

/**
 * The order in which a down section drops everything a schema built: an object goes once nothing
 * still standing depends on it. Otherwise views first (newest first), then tables, routines,
 * domains, types, enums and sequences; extensions last, since anything may use what one provides.
 * A dependency is a table's foreign key or partition, or another object's name standing as a word
 * in an object's definition; a name that only looks like one (in a string, in a routine body that
 * does not bind it) can make a cycle, and in a cycle the object of the earlier kind goes first.
 */
export function dropOrder(
  snapshot: SchemaSnapshot,
  statements: readonly SqlStatement[],
  quote: (name: string) => string,
): SchemaObjectRef[] {
  const created = (name: string) => {
    const spellings = [name, quote(name)].map(escapeRegExp).join('|')
    // pg_dump names every object with its schema: `CREATE VIEW public.active_accounts AS`.
    const creates = new RegExp(`\\bVIEW\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:[^\\s.(]+\\s*\\.\\s*)?(?:${spellings})(?:\\s|\\(|$)`, 'i')
    return statements.findIndex((statement) => creates.test(statement.text))
  }
  const node = (kind: Kind, name: string, text: string): DropNode => ({
    ref: { kind, name },
    text,
    words: wordsOf(text),
    dependents: 0,
    dependencies: [],
  })
  const mentions = (from: DropNode, on: DropNode) => names(from.text, from.words, bareName(on.ref))
  const nodes: DropNode[] = [
    ...[...snapshot.views]
      .sort((a, b) => created(b.name) - created(a.name))
      .map((view) =>
        node(
          view.materialized ? 'materialized-view' : 'view',
          view.name,
          [view.definition, ...(view.indexes ?? []).map((index) => index.definition)].join('\n'),
        ),
      ),
    ...snapshot.tables.map((table) => node('table', table.name, tableText(table, snapshot))),
    ...(snapshot.virtualTables ?? []).map((table) => node('table', table.name, '')),
    ...snapshot.functions.map((routine) => node('routine', routine.name, routine.definition)),
    ...snapshot.domains.map((domain) => node('domain', domain.name, domain.definition)),
    ...(snapshot.types ?? []).map((type) => node('type', type.name, type.definition)),
    ...snapshot.enums.map((type) => node('enum', type.name, '')),
    ...snapshot.sequences.map((name) => node('sequence', name, '')),
  ]
  const tables = new Map(nodes.filter((item) => item.ref.kind === 'table').map((item) => [item.ref.name, item]))
  const depend = (from: DropNode, on: DropNode | undefined) => {
    if (!on || on === from || from.dependencies.includes(on)) return
    from.dependencies.push(on)
    on.dependents++
  }
  for (const from of nodes) {
    for (const on of nodes) if (NAMES[from.ref.kind].includes(on.ref.kind) && mentions(from, on)) depend(from, on)
  }
  for (const table of snapshot.tables) {
    const from = tables.get(table.name)
    for (const key of table.foreignKeys) depend(from as DropNode, tables.get(key.referencedTable))
    // Dropping a partitioned table drops its partitions, so they go first.
    if (table.partitionOf) depend(from as DropNode, tables.get(table.partitionOf.parent))
  }
  const order: SchemaObjectRef[] = []
  const pending = [...nodes]
  while (pending.length) {
    const free = pending.findIndex((item) => item.dependents === 0)
    const [next] = pending.splice(Math.max(free, 0), 1) as [DropNode]
    order.push(next.ref)
    for (const dependency of next.dependencies) dependency.dependents--
  }
  return [...order, ...(snapshot.extensions ?? []).map((name): SchemaObjectRef => ({ kind: 'extension', name }))]
}

/** Everything in a table that can name a routine, a type or a sequence. */
function tableText(table: TableSnapshot, snapshot: SchemaSnapshot): string {
  return [
    ...table.columns.flatMap((column) => [column.type, column.default ?? '', column.generated?.expression ?? '']),
    ...table.checks.map((check) => check.expression),
    ...table.indexes.map((index) => index.definition ?? `${index.columns.join(', ')} ${index.predicate ?? ''}`),
    ...(table.constraints ?? []).map((constraint) => constraint.definition),
    ...(table.policies ?? []).map((policy) => policy.definition),
    ...snapshot.triggers.filter((trigger) => trigger.table === table.name).map((trigger) => trigger.definition),
  ].join('\n')
}

/** A routine's name carries its argument types: `add(integer, integer)`. */
function bareName(ref: SchemaObjectRef): string {
  return ref.kind === 'routine' ? ref.name.replace(/\(.*$/s, '') : ref.name
}
