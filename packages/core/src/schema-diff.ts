import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot, ViewSnapshot } from './schema-snapshot.js'

/** One difference, worded from the expected schema's side: "missing" is expected but absent. */
export interface SchemaDifference {
  /** The table (or view, trigger, …) the difference is about. */
  readonly object: string
  readonly message: string
}

export interface CompareSchemasOptions {
  /**
   * `exact` (default) compares everything. `structure` compares tables, columns, keys and
   * indexes but not column types, defaults, checks or routines: for schemas of two dialects.
   */
  readonly level?: 'exact' | 'structure'
}

/** Every way `actual` differs from `expected`, grouped by object, in a stable order. */
export function compareSchemas(expected: SchemaSnapshot, actual: SchemaSnapshot, options: CompareSchemasOptions = {}): SchemaDifference[] {
  const exact = (options.level ?? 'exact') === 'exact'
  const differences: SchemaDifference[] = []
  const add = (object: string, message: string) => differences.push({ object, message })

  pairByName(
    expected.tables,
    actual.tables,
    (name, side) => add(name, `table ${side}`),
    (want, have) => compareTables(want, have, exact, (message) => add(want.name, message)),
  )
  if (exact) {
    const view = (item: ViewSnapshot) => ({ name: item.name, definition: `${item.materialized ? 'MATERIALIZED ' : ''}${item.definition}` })
    compareNamed('view', expected.views.map(view), actual.views.map(view), add)
    compareNamed('trigger', expected.triggers, actual.triggers, add)
    compareNamed('function', expected.functions, actual.functions, add)
    compareNamed('domain', expected.domains, actual.domains, add)
    compareNamed(
      'enum',
      expected.enums.map((item) => ({ name: item.name, definition: item.values.join(', ') })),
      actual.enums.map((item) => ({ name: item.name, definition: item.values.join(', ') })),
      add,
    )
    compareNamed(
      'sequence',
      expected.sequences.map((name) => ({ name, definition: '' })),
      actual.sequences.map((name) => ({ name, definition: '' })),
      add,
    )
  }
  return differences
}

/**
 * One line per object, its differences joined: "projects: column api_key missing, column
 * openai_api_key extra".
 */
export function formatSchemaDifferences(differences: readonly SchemaDifference[]): string {
  const byObject = new Map<string, string[]>()
  for (const difference of differences) {
    byObject.set(difference.object, [...(byObject.get(difference.object) ?? []), difference.message])
  }
  return [...byObject].map(([object, messages]) => `${object}: ${messages.join(', ')}`).join('\n')
}

function compareTables(want: TableSnapshot, have: TableSnapshot, exact: boolean, add: (message: string) => void): void {
  pairByName(
    want.columns,
    have.columns,
    (name, side) => add(`column ${name} ${side}`),
    (wanted, had) => exact && compareColumns(wanted, had, add),
  )
  if (key(want.primaryKey) !== key(have.primaryKey)) {
    add(`primary key is (${have.primaryKey.join(', ')}), expected (${want.primaryKey.join(', ')})`)
  }
  compareSets('unique', want.uniques, have.uniques, (columns) => `(${columns.join(', ')})`, add)
  compareSets(
    'foreign key',
    want.foreignKeys,
    have.foreignKeys,
    (fk) =>
      `(${fk.columns.join(', ')}) → ${fk.referencedTable} (${fk.referencedColumns.join(', ')})${exact ? ` on delete ${fk.onDelete} on update ${fk.onUpdate}` : ''}`,
    add,
  )
  if (exact) compareChecks(want, have, add)

  pairByName(
    want.indexes,
    have.indexes,
    (name, side) => add(`index ${name} ${side}`),
    (wanted, had) => {
      if (key([wanted.columns, wanted.unique, wanted.predicate]) !== key([had.columns, had.unique, had.predicate]))
        add(`index ${wanted.name} differs`)
    },
  )
}

function compareColumns(wanted: ColumnSnapshot, had: ColumnSnapshot, add: (message: string) => void): void {
  if (wanted.type !== had.type) add(`column ${wanted.name} is ${had.type || 'untyped'}, expected ${wanted.type || 'untyped'}`)
  if (wanted.nullable !== had.nullable)
    add(`column ${wanted.name} is ${had.nullable ? 'nullable' : 'NOT NULL'}, expected ${wanted.nullable ? 'nullable' : 'NOT NULL'}`)
  if (wanted.default !== had.default) add(`column ${wanted.name} default is ${had.default ?? 'none'}, expected ${wanted.default ?? 'none'}`)
}

/** A check missing on one side and another on the same column on the other reads as "differs". */
function compareChecks(want: TableSnapshot, have: TableSnapshot, add: (message: string) => void): void {
  const haveKeys = new Set(have.checks.map(key))
  const wantKeys = new Set(want.checks.map(key))
  const missing = want.checks.filter((check) => !haveKeys.has(key(check)))
  const extra = have.checks.filter((check) => !wantKeys.has(key(check)))
  for (const check of missing) {
    const replaced = extra.findIndex((other) => check.column !== undefined && other.column === check.column)
    if (replaced >= 0) {
      const [other] = extra.splice(replaced, 1)
      add(`check on ${check.column} is ${other?.expression}, expected ${check.expression}`)
    } else add(`check ${check.expression} missing`)
  }
  for (const check of extra) add(`check ${check.expression} extra`)
}

function compareSets<T>(
  label: string,
  want: readonly T[],
  have: readonly T[],
  describe: (item: T) => string,
  add: (message: string) => void,
): void {
  const haveKeys = new Set(have.map(key))
  const wantKeys = new Set(want.map(key))
  for (const item of want) if (!haveKeys.has(key(item))) add(`${label} ${describe(item)} missing`)
  for (const item of have) if (!wantKeys.has(key(item))) add(`${label} ${describe(item)} extra`)
}

function compareNamed(
  label: string,
  want: readonly { name: string; definition: string }[],
  have: readonly { name: string; definition: string }[],
  add: (object: string, message: string) => void,
): void {
  pairByName(
    want,
    have,
    (name, side) => add(name, `${label} ${side}`),
    (wanted, had) => {
      if (wanted.definition !== had.definition) add(wanted.name, `${label} definition differs`)
    },
  )
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

function key(value: unknown): string {
  return JSON.stringify(value)
}
