import { differenceMessage } from './schema-difference-wording.js'
import {
  type ColumnSnapshot,
  type DeferrableKey,
  type EnumSnapshot,
  type ForeignKeySnapshot,
  type IndexSnapshot,
  type NamedDefinition,
  normaliseSql,
  pairBy,
  type SchemaSnapshot,
  type TableSnapshot,
  type TriggerSnapshot,
  type ViewSnapshot,
} from './schema-snapshot.js'

/** One difference, worded from the expected schema's side: "missing" is expected but absent. */
export interface SchemaDifference {
  /** The table (or view, trigger, …) the difference is about. */
  readonly object: string
  /** What differs: `table`, `column`, `index`, `check`, `view`, `function`, … */
  readonly kind: string
  /** Its name; for a key or a check, its columns or expression; empty for a primary key. */
  readonly name: string
  /** `missing`: expected but absent. `extra`: present but not expected. `changed`: on both sides, differing in `attribute`. */
  readonly change: 'missing' | 'extra' | 'changed'
  readonly attribute?: string
  /** The whole value on each side (a definition in full); messages quote only its first differing line. */
  readonly expected?: string
  readonly actual?: string
  /** What changed within the attribute, where the two values do not say it at a glance: "label 'archived' added". */
  readonly summary?: string
  /** The difference in words: "column label missing", "column id is INTEGER, expected TEXT". */
  readonly message: string
}

export interface CompareSchemasOptions {
  /**
   * `exact` (default) compares everything. `structure` compares tables, columns, keys and
   * indexes but not column types, defaults, checks or routines: for schemas of two dialects.
   */
  readonly level?: 'exact' | 'structure'
}

export type DifferenceDetail = Pick<SchemaDifference, 'attribute' | 'expected' | 'actual' | 'summary'>
type Add = (object: string, kind: string, name: string, change: SchemaDifference['change'], detail?: DifferenceDetail) => void

/** Every way `actual` differs from `expected`, grouped by object, in a stable order. */
export function compareSchemas(expected: SchemaSnapshot, actual: SchemaSnapshot, options: CompareSchemasOptions = {}): SchemaDifference[] {
  const exact = (options.level ?? 'exact') === 'exact'
  const differences: SchemaDifference[] = []
  const add: Add = (object, kind, name, change, detail = {}) =>
    differences.push({ object, kind, name, change, ...detail, message: differenceMessage(object, kind, name, change, detail) })

  pairByName(
    expected.tables,
    actual.tables,
    (name, side) => add(name, 'table', name, side),
    (want, have) => compareTables(want, have, exact, add),
  )
  if (exact) {
    compareNamed('extension', names(expected.extensions), names(actual.extensions), add)
    compareNamed('virtual table', expected.virtualTables ?? [], actual.virtualTables ?? [], add)
    const view = (item: ViewSnapshot): NamedDefinition => ({
      name: item.name,
      definition: `${item.materialized ? 'MATERIALIZED ' : ''}${item.definition}`,
      ...(item.comment === undefined ? {} : { comment: item.comment }),
      parts: { materialized: flag(item.materialized), definition: item.definition },
    })
    compareNamed('view', expected.views.map(view), actual.views.map(view), add)
    const viewIndexes = (views: readonly ViewSnapshot[]) => views.flatMap((item) => item.indexes ?? [])
    compareNamed('index', viewIndexes(expected.views), viewIndexes(actual.views), add)
    // PostgreSQL names a trigger per table: two tables may each have one called set_updated.
    const onTable = (trigger: TriggerSnapshot) => ({ ...trigger, name: `${trigger.name} on ${trigger.table}` })
    compareNamed('trigger', expected.triggers.map(onTable), actual.triggers.map(onTable), add)
    compareNamed('function', expected.functions, actual.functions, add)
    compareNamed('domain', expected.domains, actual.domains, add)
    compareNamed('type', expected.types ?? [], actual.types ?? [], add)
    pairByName(
      expected.enums,
      actual.enums,
      (name, side) => add(name, 'enum', name, side),
      (wanted, had) => compareEnumLabels(wanted, had, add),
    )
    compareNamed('sequence', names(expected.sequences), names(actual.sequences), add)
    // A sequence missing or extra is reported above, or as its column's; here only its options.
    pairByName(
      expected.sequenceDefinitions ?? [],
      actual.sequenceDefinitions ?? [],
      () => {},
      (wanted, had) => sameSql(wanted.definition, had.definition) || compareDefinitions(wanted.name, 'sequence', wanted, had, add),
    )
  }
  return differences
}

function compareTables(want: TableSnapshot, have: TableSnapshot, exact: boolean, add: Add): void {
  const table = want.name
  pairByName(
    want.columns,
    have.columns,
    (name, side) => add(table, 'column', name, side),
    (wanted, had) => exact && compareColumns(table, wanted, had, add),
  )
  if (key(want.primaryKey) !== key(have.primaryKey)) {
    const primaryKey = (columns: readonly string[]) => (columns.length ? list(columns) : 'none')
    add(table, 'primary key', '', 'changed', {
      attribute: undefined,
      expected: primaryKey(want.primaryKey),
      actual: primaryKey(have.primaryKey),
    })
  }
  compareSets(table, 'unique', want.uniques, have.uniques, list, add)
  const describeForeignKey = (fk: ForeignKeySnapshot) =>
    `${list(fk.columns)} → ${fk.referencedTable} ${list(fk.referencedColumns)}${exact ? ` on delete ${fk.onDelete} on update ${fk.onUpdate}` : ''}`
  compareSets(table, 'foreign key', want.foreignKeys.map(foreignKeyOnly), have.foreignKeys.map(foreignKeyOnly), describeForeignKey, add)
  if (exact) {
    compareKeyTimings(want, have, add)
    for (const [wanted, had] of pairBy(want.foreignKeys, have.foreignKeys, (fk) => key(foreignKeyOnly(fk))).both) {
      compareEnforcement(table, 'foreign key', describeForeignKey(wanted), wanted, had, add)
    }
    compareChecks(want, have, add)
    compareExclusions(want, have, add)
    compareAttribute(table, 'table', table, 'partition key', want.partitionBy, have.partitionBy, add)
    const partitionOf = (snapshot: TableSnapshot) => snapshot.partitionOf && `${snapshot.partitionOf.parent} ${snapshot.partitionOf.bound}`
    compareAttribute(table, 'table', table, 'partition of', partitionOf(want), partitionOf(have), add)
    compareAttribute(table, 'table', table, 'row-level security', want.rowLevelSecurity, have.rowLevelSecurity, add)
    compareAttribute(table, 'table', table, 'WITHOUT ROWID', flag(want.withoutRowid), flag(have.withoutRowid), add)
    compareAttribute(table, 'table', table, 'STRICT', flag(want.strict), flag(have.strict), add)
    compareAttribute(table, 'table', table, 'comment', want.comment, have.comment, add)
    pairByName(
      want.policies ?? [],
      have.policies ?? [],
      (name, side) => add(table, 'policy', name, side),
      (wanted, had) => sameSql(wanted.definition, had.definition) || compareDefinitions(table, 'policy', wanted, had, add),
    )
  }
  pairByName(
    want.indexes,
    have.indexes,
    (name, side) => add(table, 'index', name, side),
    (wanted, had) => compareIndexes(table, wanted, had, add),
  )
}

function compareColumns(table: string, wanted: ColumnSnapshot, had: ColumnSnapshot, add: Add): void {
  const attribute = (name: string, expected: string | undefined, actual: string | undefined) =>
    compareAttribute(table, 'column', wanted.name, name, expected, actual, add)
  attribute('type', wanted.type || 'untyped', had.type || 'untyped')
  if (wanted.nullable !== had.nullable) {
    add(table, 'column', wanted.name, 'changed', { attribute: 'nullability', expected: nullability(wanted), actual: nullability(had) })
  }
  attribute('default', wanted.default, had.default)
  attribute('identity', wanted.identity, had.identity)
  const generated = (column: ColumnSnapshot) =>
    column.generated && `${column.generated.expression}${column.generated.stored ? ' STORED' : ''}`
  attribute('generated', generated(wanted), generated(had))
  attribute('collation', wanted.collation, had.collation)
  attribute('sequence', wanted.sequence, had.sequence)
  attribute('comment', wanted.comment, had.comment)
}

function compareIndexes(table: string, wanted: IndexSnapshot, had: IndexSnapshot, add: Add): void {
  const attribute = (name: string, expected: string | undefined, actual: string | undefined) =>
    compareAttribute(table, 'index', wanted.name, name, expected, actual, add)
  attribute('columns', list(wanted.columns), list(had.columns))
  attribute('uniqueness', wanted.unique ? 'unique' : 'not unique', had.unique ? 'unique' : 'not unique')
  attribute('predicate', wanted.predicate, had.predicate)
}

/**
 * A check is known by its expression (SQLite names a column only for a check written on it). One
 * missing on one side and another on the same column on the other reads as "changed".
 */
function compareChecks(want: TableSnapshot, have: TableSnapshot, add: Add): void {
  const checkKey = (check: { expression: string }) => normaliseSql(check.expression)
  const haveKeys = new Set(have.checks.map(checkKey))
  const wantKeys = new Set(want.checks.map(checkKey))
  const missing = want.checks.filter((check) => !haveKeys.has(checkKey(check)))
  const extra = have.checks.filter((check) => !wantKeys.has(checkKey(check)))
  for (const check of missing) {
    const replaced = extra.findIndex((other) => check.column !== undefined && other.column === check.column)
    if (replaced >= 0) {
      const [other] = extra.splice(replaced, 1)
      add(want.name, 'check', `on ${check.column}`, 'changed', {
        attribute: 'expression',
        expected: check.expression,
        actual: other?.expression,
      })
    } else add(want.name, 'check', check.expression, 'missing')
  }
  for (const check of extra) add(want.name, 'check', check.expression, 'extra')
  const had = new Map(have.checks.map((check) => [checkKey(check), check]))
  for (const check of want.checks) {
    const other = had.get(checkKey(check))
    if (other) compareEnforcement(want.name, 'check', check.expression, check, other, add)
  }
}

/** A foreign key as what it links, without how it is enforced: the two sides are paired by this. */
function foreignKeyOnly(fk: ForeignKeySnapshot): ForeignKeySnapshot {
  const { columns, referencedTable, referencedColumns, onDelete, onUpdate } = fk
  return { columns, referencedTable, referencedColumns, onDelete, onUpdate }
}

/** How a key or check on both sides is enforced: whether the rows there were checked, and when it is checked. */
function compareEnforcement(
  object: string,
  kind: string,
  name: string,
  wanted: Pick<ForeignKeySnapshot, 'validity' | 'timing'>,
  had: Pick<ForeignKeySnapshot, 'validity' | 'timing'>,
  add: Add,
): void {
  compareAttribute(object, kind, name, 'validity', wanted.validity ?? 'valid', had.validity ?? 'valid', add)
  compareAttribute(object, kind, name, 'timing', wanted.timing ?? NOT_DEFERRABLE, had.timing ?? NOT_DEFERRABLE, add)
}

/** Whether the primary key and the unique constraints on both sides may be deferred. */
function compareKeyTimings(want: TableSnapshot, have: TableSnapshot, add: Add): void {
  const timing = (table: TableSnapshot, kind: DeferrableKey['kind'], columns: readonly string[]) =>
    table.deferrableKeys?.find((candidate) => candidate.kind === kind && key(candidate.columns) === key(columns))?.timing
  const compare = (kind: DeferrableKey['kind'], name: string, columns: readonly string[]) =>
    compareEnforcement(want.name, kind, name, { timing: timing(want, kind, columns) }, { timing: timing(have, kind, columns) }, add)
  if (want.primaryKey.length && key(want.primaryKey) === key(have.primaryKey)) compare('primary key', '', want.primaryKey)
  const haveUniques = new Set(have.uniques.map(key))
  for (const columns of want.uniques.filter((unique) => haveUniques.has(key(unique)))) compare('unique', list(columns), columns)
}

/**
 * An exclusion constraint is known by its definition, so that its name does not count; one
 * missing and one extra of the same name read as "changed".
 */
function compareExclusions(want: TableSnapshot, have: TableSnapshot, add: Add): void {
  const kind = 'exclusion constraint'
  const { removed, added } = pairBy(want.exclusions ?? [], have.exclusions ?? [], (exclusion) => normaliseSql(exclusion.definition))
  const byName = pairBy(removed, added, (exclusion) => exclusion.name)
  for (const [wanted, had] of byName.both) {
    add(want.name, kind, wanted.name, 'changed', { attribute: 'definition', expected: wanted.definition, actual: had.definition })
  }
  for (const exclusion of byName.removed) add(want.name, kind, exclusion.definition, 'missing')
  for (const exclusion of byName.added) add(want.name, kind, exclusion.definition, 'extra')
}

const NOT_DEFERRABLE = 'NOT DEFERRABLE'

function compareAttribute(
  object: string,
  kind: string,
  name: string,
  attribute: string,
  expected: string | undefined,
  actual: string | undefined,
  add: Add,
): void {
  if (!sameSql(expected, actual)) add(object, kind, name, 'changed', { attribute, expected: expected ?? 'none', actual: actual ?? 'none' })
}

function compareSets<T>(
  object: string,
  kind: string,
  want: readonly T[],
  have: readonly T[],
  describe: (item: T) => string,
  add: Add,
): void {
  const haveKeys = new Set(have.map(key))
  const wantKeys = new Set(want.map(key))
  for (const item of want) if (!haveKeys.has(key(item))) add(object, kind, describe(item), 'missing')
  for (const item of have) if (!wantKeys.has(key(item))) add(object, kind, describe(item), 'extra')
}

function compareNamed(kind: string, want: readonly NamedDefinition[], have: readonly NamedDefinition[], add: Add): void {
  pairByName(
    want,
    have,
    (name, side) => add(name, kind, name, side),
    (wanted, had) => {
      if (!sameSql(wanted.definition, had.definition)) compareDefinitions(wanted.name, kind, wanted, had, add)
      else compareAttribute(wanted.name, kind, wanted.name, 'comment', wanted.comment, had.comment, add)
    },
  )
}

/**
 * Two definitions that differ, by each part the driver split them into (a function's body, its
 * volatility, ...); by the definition itself, quoted at its first differing line, when the
 * parts do not tell the difference or there are none.
 */
function compareDefinitions(object: string, kind: string, wanted: NamedDefinition, had: NamedDefinition, add: Add): void {
  const [want, have] = [wanted.parts, had.parts]
  const parts = want && have ? [...new Set([...Object.keys(want), ...Object.keys(have)])] : []
  const differing = parts.filter((part) => !sameSql(want?.[part], have?.[part]))
  for (const part of differing) compareAttribute(object, kind, wanted.name, part, want?.[part], have?.[part], add)
  if (!differing.length)
    add(object, kind, wanted.name, 'changed', { attribute: 'definition', expected: wanted.definition, actual: had.definition })
}

/** An enum's labels are compared exactly, in order: which were added or removed, and whether the rest moved. */
function compareEnumLabels(wanted: EnumSnapshot, had: EnumSnapshot, add: Add): void {
  if (key(wanted.values) === key(had.values)) return
  const quoted = (labels: readonly string[]) => labels.map((label) => `'${label.replaceAll("'", "''")}'`).join(', ')
  const labels = (items: readonly string[], change: string) =>
    items.length ? [`label${items.length > 1 ? 's' : ''} ${quoted(items)} ${change}`] : []
  const removed = wanted.values.filter((label) => !had.values.includes(label))
  const added = had.values.filter((label) => !wanted.values.includes(label))
  const kept = (items: readonly string[]) => items.filter((label) => !removed.includes(label) && !added.includes(label))
  const moved = key(kept(wanted.values)) !== key(kept(had.values))
  const summary = [...labels(removed, 'removed'), ...labels(added, 'added'), ...(moved ? ['labels reordered'] : [])].join(', ')
  add(wanted.name, 'enum', wanted.name, 'changed', {
    attribute: 'labels',
    expected: quoted(wanted.values),
    actual: quoted(had.values),
    summary,
  })
}

/** Pairs two lists by name, in name order: `both` for a name on each side, `lone` for the rest. */
function pairByName<T extends { name: string }>(
  want: readonly T[],
  have: readonly T[],
  lone: (name: string, side: 'missing' | 'extra') => void,
  both: (wanted: T, had: T) => void,
): void {
  const wantByName = new Map(want.map((item) => [item.name, item]))
  const haveByName = new Map(have.map((item) => [item.name, item]))
  for (const name of [...new Set([...wantByName.keys(), ...haveByName.keys()])].sort()) {
    const wanted = wantByName.get(name)
    const had = haveByName.get(name)
    if (!wanted) lone(name, 'extra')
    else if (!had) lone(name, 'missing')
    else both(wanted, had)
  }
}

function sameSql(a: string | undefined, b: string | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && normaliseSql(a) === normaliseSql(b))
}

function names(items: readonly string[] | undefined): NamedDefinition[] {
  return (items ?? []).map((name) => ({ name, definition: '' }))
}

function nullability(column: ColumnSnapshot): string {
  return column.nullable ? 'nullable' : 'NOT NULL'
}

function flag(value: boolean | undefined): string {
  return value ? 'on' : 'off'
}

function list(columns: readonly string[]): string {
  return `(${columns.join(', ')})`
}

function key(value: unknown): string {
  return JSON.stringify(value)
}
