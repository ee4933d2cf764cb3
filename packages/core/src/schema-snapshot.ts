/**
 * A database schema as a model, so that two databases (or a database and what the migrations
 * would build) can be compared without caring how each was created. Drivers build it, keeping
 * the database's own spelling of every expression and definition; comparison ignores
 * formatting (see {@link normaliseSql}), and a dialect can render a snapshot back as SQL.
 *
 * Fields marked optional were added after the first release: a driver that does not fill them
 * simply does not see those objects. What each dialect covers is listed in
 * docs/schema-snapshots.md.
 */
export interface SchemaSnapshot {
  readonly tables: readonly TableSnapshot[]
  readonly views: readonly ViewSnapshot[]
  readonly triggers: readonly TriggerSnapshot[]
  /** Sequences that no column owns; one owned by a serial column is named in {@link ColumnSnapshot.sequence}. */
  readonly sequences: readonly string[]
  readonly enums: readonly EnumSnapshot[]
  /** Domains, with their base type and constraints as the definition. */
  readonly domains: readonly NamedDefinition[]
  /** Functions and procedures, named with their argument types: `touch()`. */
  readonly functions: readonly NamedDefinition[]
  /** Every sequence but an identity column's, its options as the definition: `AS integer START WITH 1 …`. */
  readonly sequenceDefinitions?: readonly NamedDefinition[]
  /** Composite and range types. */
  readonly types?: readonly TypeSnapshot[]
  /** Extensions installed in the schema. The objects an extension owns are in no other list. */
  readonly extensions?: readonly string[]
  /** Virtual tables (SQLite), with their CREATE statement; their shadow tables are in no list. */
  readonly virtualTables?: readonly NamedDefinition[]
}

export interface TableSnapshot {
  readonly name: string
  readonly columns: readonly ColumnSnapshot[]
  /** Column names of the primary key, in key order; empty when there is none. */
  readonly primaryKey: readonly string[]
  readonly uniques: readonly (readonly string[])[]
  readonly checks: readonly CheckSnapshot[]
  readonly foreignKeys: readonly ForeignKeySnapshot[]
  readonly indexes: readonly IndexSnapshot[]
  /** The partition key of a partitioned table: `RANGE (created_at)`. */
  readonly partitionBy?: string
  /** The table this one is a partition of, and its bound: `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`. */
  readonly partitionOf?: { readonly parent: string; readonly bound: string }
  /** Row-level security: absent when off. `forced` applies it to the table's owner too. */
  readonly rowLevelSecurity?: 'enabled' | 'forced'
  /** Row-level security policies; the definition is everything after `CREATE POLICY name ON table`. */
  readonly policies?: readonly NamedDefinition[]
  /** SQLite table options. */
  readonly withoutRowid?: boolean
  readonly strict?: boolean
  readonly comment?: string
  /** Exclusion constraints (PostgreSQL), their definition as the database gives it: `EXCLUDE USING gist (…)`. */
  readonly exclusions?: readonly NamedDefinition[]
  /** The primary key and unique constraints that are deferrable (PostgreSQL); a key checked at once is not listed. */
  readonly deferrableKeys?: readonly DeferrableKey[]
  /**
   * For rendering only, never compared: the table's own CREATE statement where the database
   * keeps one (SQLite), and its named constraints with their definitions (PostgreSQL).
   */
  readonly definition?: string
  readonly constraints?: readonly NamedDefinition[]
}

export interface ColumnSnapshot {
  readonly name: string
  readonly type: string
  readonly nullable: boolean
  /** The default expression as the database reports it; undefined when none. */
  readonly default: string | undefined
  /** An identity column: `ALWAYS` or `BY DEFAULT`. */
  readonly identity?: 'ALWAYS' | 'BY DEFAULT'
  /** A generated column's expression, and whether it is stored (or computed when read). */
  readonly generated?: { readonly expression: string; readonly stored: boolean }
  /** A collation other than its type's default. */
  readonly collation?: string
  /** The sequence this column owns (a serial column's). */
  readonly sequence?: string
  readonly comment?: string
}

export interface CheckSnapshot {
  /** The column it constrains, when it constrains exactly one. */
  readonly column: string | undefined
  readonly expression: string
  /** `NOT VALID`: the rows already there when it was added were not checked; absent once validated. */
  readonly validity?: 'NOT VALID'
}

export interface ForeignKeySnapshot {
  readonly columns: readonly string[]
  readonly referencedTable: string
  readonly referencedColumns: readonly string[]
  readonly onDelete: string
  readonly onUpdate: string
  /** `NOT VALID`, as a check's. */
  readonly validity?: 'NOT VALID'
  /** When it is checked, if it may be deferred; absent for a key checked at each statement (`NOT DEFERRABLE`). */
  readonly timing?: ConstraintTiming
}

/** `DEFERRABLE` (checked at each statement unless deferred) or `DEFERRABLE INITIALLY DEFERRED` (checked at commit). */
export type ConstraintTiming = 'DEFERRABLE' | 'DEFERRABLE INITIALLY DEFERRED'

export interface DeferrableKey {
  readonly kind: 'primary key' | 'unique'
  readonly columns: readonly string[]
  readonly timing: ConstraintTiming
}

export interface IndexSnapshot {
  readonly name: string
  readonly columns: readonly string[]
  readonly unique: boolean
  /** The WHERE clause of a partial index. */
  readonly predicate: string | undefined
  /** For rendering only, never compared: the CREATE INDEX statement as the database gives it. */
  readonly definition?: string
}

export interface NamedDefinition {
  readonly name: string
  readonly definition: string
  readonly comment?: string
  /**
   * The definition split into the parts a person changes one at a time, each as the database
   * spells it: a function's `arguments`, `volatility` and `body`, a sequence's `increment`. Only
   * for saying what differs: whether two definitions differ is decided on `definition`, and a
   * difference then names each part that differs (its name becomes the difference's
   * `attribute`), or quotes the first differing line of the definition when no part does.
   */
  readonly parts?: Readonly<Record<string, string>>
}

export interface ViewSnapshot extends NamedDefinition {
  readonly materialized: boolean
  /** A materialized view's indexes, each with its full `CREATE INDEX` statement. */
  readonly indexes?: readonly NamedDefinition[]
}

export interface TriggerSnapshot extends NamedDefinition {
  readonly table: string
}

export interface EnumSnapshot {
  readonly name: string
  readonly values: readonly string[]
}

/** A composite type (`definition`: `(x integer, y integer)`) or a range type (`RANGE (subtype = numeric)`). */
export interface TypeSnapshot extends NamedDefinition {
  readonly kind: 'composite' | 'range'
}

/**
 * Upper-cases everything outside quotes, collapses white space and drops it around parentheses
 * and commas, so that formatting never counts when two definitions are compared.
 */
export function normaliseSql(sql: string): string {
  let result = ''
  let quote: string | undefined
  let pendingSpace = false
  let afterPunctuation = false
  for (const char of sql.trim()) {
    if (quote) {
      result += char
      if (char === quote) quote = undefined
      continue
    }
    if (/\s/.test(char)) {
      pendingSpace = true
      continue
    }
    const punctuation = char === '(' || char === ')' || char === ','
    if (pendingSpace && !punctuation && !afterPunctuation) result += ' '
    pendingSpace = false
    afterPunctuation = punctuation
    if (char === "'" || char === '"') quote = char
    result += char === ',' ? ', ' : char.toUpperCase()
  }
  return result
}

/**
 * Sorts every list of a snapshot so that comparison and rendering do not depend on catalog
 * order. Names sort by code point, so the order is the same on every machine. Columns keep
 * their position, which a dump must reproduce; comparison pairs them by name.
 */
export function sortSnapshot(snapshot: SchemaSnapshot): SchemaSnapshot {
  const byName = <T extends { name: string }>(items: readonly T[]) => [...items].sort((a, b) => compareText(a.name, b.name))
  const byKey = <T>(items: readonly T[]) => [...items].sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)))
  const optional = <T extends { name: string }>(items: readonly T[] | undefined) => (items ? byName(items) : undefined)
  const sorted: SchemaSnapshot = {
    tables: byName(snapshot.tables).map((table) => ({
      ...table,
      uniques: byKey(table.uniques),
      checks: byKey(table.checks),
      foreignKeys: byKey(table.foreignKeys),
      indexes: byName(table.indexes),
      ...(table.policies ? { policies: byName(table.policies) } : {}),
      ...(table.exclusions ? { exclusions: byName(table.exclusions) } : {}),
      ...(table.deferrableKeys ? { deferrableKeys: byKey(table.deferrableKeys) } : {}),
      ...(table.constraints ? { constraints: byName(table.constraints) } : {}),
    })),
    views: byName(snapshot.views).map((view) => (view.indexes ? { ...view, indexes: byName(view.indexes) } : view)),
    triggers: [...snapshot.triggers].sort((a, b) => compareText(a.name, b.name) || compareText(a.table, b.table)),
    sequences: [...snapshot.sequences].sort(compareText),
    enums: byName(snapshot.enums),
    domains: byName(snapshot.domains),
    functions: byName(snapshot.functions),
    sequenceDefinitions: optional(snapshot.sequenceDefinitions),
    types: optional(snapshot.types),
    extensions: snapshot.extensions ? [...snapshot.extensions].sort(compareText) : undefined,
    virtualTables: optional(snapshot.virtualTables),
  }
  return Object.fromEntries(Object.entries(sorted).filter(([, value]) => value !== undefined)) as unknown as SchemaSnapshot
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Two lists of one kind of object paired by `key`: only in `from`, only in `to`, and in both. */
export function pairBy<T>(
  from: readonly T[],
  to: readonly T[],
  key: (item: T) => string,
): { removed: T[]; added: T[]; both: [before: T, after: T][] } {
  const before = new Map(from.map((item) => [key(item), item]))
  const after = new Set(to.map(key))
  return {
    removed: from.filter((item) => !after.has(key(item))),
    added: to.filter((item) => !before.has(key(item))),
    both: to.flatMap((item): [T, T][] => {
      const old = before.get(key(item))
      return old === undefined ? [] : [[old, item]]
    }),
  }
}
