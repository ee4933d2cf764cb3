/**
 * A database schema as a normalised model, so that two databases (or a database and what the
 * migrations would build) can be compared without caring how each was created. Drivers build
 * it; everything is sorted and spelled in one way (see {@link normaliseSql}).
 */
export interface SchemaSnapshot {
  readonly tables: readonly TableSnapshot[]
  readonly views: readonly ViewSnapshot[]
  readonly triggers: readonly TriggerSnapshot[]
  /** Standalone sequences; one owned by a serial or identity column belongs to that column. */
  readonly sequences: readonly string[]
  readonly enums: readonly EnumSnapshot[]
  /** Domains, with their base type and constraints as the definition. */
  readonly domains: readonly NamedDefinition[]
  /** Functions and procedures, named with their argument types: `touch()`. */
  readonly functions: readonly NamedDefinition[]
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
}

export interface ColumnSnapshot {
  readonly name: string
  readonly type: string
  readonly nullable: boolean
  /** The default expression as the database reports it, normalised; undefined when none. */
  readonly default: string | undefined
}

export interface CheckSnapshot {
  /** The column it constrains, when it constrains exactly one. */
  readonly column: string | undefined
  readonly expression: string
}

export interface ForeignKeySnapshot {
  readonly columns: readonly string[]
  readonly referencedTable: string
  readonly referencedColumns: readonly string[]
  readonly onDelete: string
  readonly onUpdate: string
}

export interface IndexSnapshot {
  readonly name: string
  readonly columns: readonly string[]
  readonly unique: boolean
  /** The WHERE clause of a partial index. */
  readonly predicate: string | undefined
}

export interface NamedDefinition {
  readonly name: string
  readonly definition: string
}

export interface ViewSnapshot extends NamedDefinition {
  readonly materialized: boolean
}

export interface TriggerSnapshot extends NamedDefinition {
  readonly table: string
}

export interface EnumSnapshot {
  readonly name: string
  readonly values: readonly string[]
}

/** Upper-cases keywords outside quotes and collapses white space, so formatting never counts. */
export function normaliseSql(sql: string): string {
  let result = ''
  let quote: string | undefined
  for (const char of sql.trim()) {
    if (quote) {
      result += char
      if (char === quote) quote = undefined
    } else if (char === "'" || char === '"') {
      quote = char
      result += char
    } else if (/\s/.test(char)) {
      if (!result.endsWith(' ')) result += ' '
    } else {
      result += char.toUpperCase()
    }
  }
  return result.replace(/ ?([(),]) ?/g, '$1').replace(/,/g, ', ')
}

/** Sorts every list of a snapshot so that comparison does not depend on catalog order. */
export function sortSnapshot(snapshot: SchemaSnapshot): SchemaSnapshot {
  const byName = <T extends { name: string }>(items: readonly T[]) => [...items].sort((a, b) => a.name.localeCompare(b.name))
  const byKey = <T>(items: readonly T[]) => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
  return {
    tables: byName(snapshot.tables).map((table) => ({
      ...table,
      columns: byName(table.columns),
      uniques: byKey(table.uniques),
      checks: byKey(table.checks),
      foreignKeys: byKey(table.foreignKeys),
      indexes: byName(table.indexes),
    })),
    views: byName(snapshot.views),
    triggers: byName(snapshot.triggers),
    sequences: [...snapshot.sequences].sort(),
    enums: byName(snapshot.enums),
    domains: byName(snapshot.domains),
    functions: byName(snapshot.functions),
  }
}
