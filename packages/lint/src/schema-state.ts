/**
 * What lint knows about the schema at one point of the plan: the tables, columns and indexes
 * that migrations built, and for each whether the plan being linted created it. Anything the
 * migrations never mention is taken to exist already (built by hand, by a code migration, or by
 * an extension), because a lock on a table that exists is what the rules guard against.
 */
export class SchemaState {
  private readonly tables = new Map<string, TableState>()
  private readonly indexes = new Map<string, IndexState>()
  private readonly functions = new Map<string, FunctionVolatility>()
  /** Serial number of the migration being walked; objects made at or after `planStart` are new. */
  private migration = 0
  private planStart = Number.POSITIVE_INFINITY

  /** Called before each migration; `startsPlan` makes everything built so far count as existing. */
  beginMigration(startsPlan: boolean): void {
    this.migration++
    if (startsPlan) this.planStart = this.migration
  }

  /** Whether the table was created by the plan, so nobody uses it yet and locking it hurts no one. */
  isNewTable(name: string): boolean {
    return this.isNew(this.tables.get(name)?.createdIn)
  }

  /** Whether the column was added by the plan (to a new or an existing table). */
  isNewColumn(table: string, column: string): boolean {
    return this.isNew(this.tables.get(table)?.columns.get(column)?.addedIn)
  }

  table(name: string): TableState | undefined {
    return this.tables.get(name)
  }

  /** The table, recorded as existing before the plan when the migrations never created it. */
  tableOrExisting(name: string): TableState {
    let table = this.tables.get(name)
    if (!table) {
      table = {
        createdIn: 0,
        columns: new Map(),
        keyColumns: new Set(),
        notNullChecks: new Map(),
        notValidIn: new Map(),
        triggers: new Set(),
        rowsIn: 0,
      }
      this.tables.set(name, table)
    }
    return table
  }

  createTable(name: string, partitioned = false): TableState {
    const table: TableState = {
      createdIn: this.migration,
      partitioned,
      columns: new Map(),
      keyColumns: new Set(),
      notNullChecks: new Map(),
      notValidIn: new Map(),
      triggers: new Set(),
      rowsIn: undefined,
    }
    this.tables.set(name, table)
    for (const [index, state] of this.indexes) if (state.table === name) this.indexes.delete(index)
    return table
  }

  addColumn(table: string, column: string, type: string | undefined, notNull = false, collation?: string): void {
    this.tableOrExisting(table).columns.set(column, { addedIn: this.migration, type, notNull, collation })
  }

  setColumnType(table: string, column: string, type: string | undefined, collation?: string): void {
    const columns = this.tableOrExisting(table).columns
    const known = columns.get(column)
    columns.set(column, { addedIn: known?.addedIn ?? 0, type, notNull: known?.notNull ?? false, collation })
  }

  /** Records SET NOT NULL or DROP NOT NULL (or a primary key, which implies NOT NULL) on a column. */
  setColumnNotNull(table: string, column: string, notNull: boolean): void {
    const columns = this.tableOrExisting(table).columns
    const known = columns.get(column)
    columns.set(column, { ...known, addedIn: known?.addedIn ?? 0, type: known?.type, notNull })
  }

  /** Whether a migration made the column NOT NULL; false when lint does not know the column. */
  isNotNull(table: string, column: string): boolean {
    return this.tables.get(table)?.columns.get(column)?.notNull ?? false
  }

  dropColumn(table: string, column: string): void {
    this.tables.get(table)?.columns.delete(column)
  }

  dropTable(name: string): void {
    this.tables.delete(name)
    for (const [index, state] of this.indexes) if (state.table === name) this.indexes.delete(index)
  }

  renameTable(from: string, to: string): void {
    const table = this.tableOrExisting(from)
    this.tables.delete(from)
    this.tables.set(to, table)
    for (const state of this.indexes.values()) if (state.table === from) state.table = to
  }

  renameColumn(table: string, from: string, to: string): void {
    const columns = this.tableOrExisting(table).columns
    const column = columns.get(from) ?? { addedIn: 0, type: undefined, notNull: false }
    columns.delete(from)
    columns.set(to, column)
    const keys = this.tableOrExisting(table).keyColumns
    if (keys.delete(from)) keys.add(to)
  }

  /** Records that rows were written to the table in this migration (SQLite's ADD COLUMN cares). */
  noteRows(table: string): void {
    this.tableOrExisting(table).rowsIn ??= this.migration
  }

  /** Whether the table may hold rows: it existed before the plan, or the plan wrote to it. */
  mayHoldRows(name: string): boolean {
    const table = this.tables.get(name)
    return !table || !this.isNew(table.createdIn) || table.rowsIn !== undefined
  }

  /** `columns`, when known, are the plain columns the index covers. */
  createIndex(name: string, table: string, columns?: readonly string[]): void {
    this.indexes.set(name, { table, createdIn: this.migration, columns })
  }

  /** The table an index is on, when the migrations created the index. */
  indexTable(name: string): string | undefined {
    return this.indexes.get(name)?.table
  }

  dropIndex(name: string): void {
    this.indexes.delete(name)
  }

  renameIndex(from: string, to: string): void {
    const index = this.indexes.get(from)
    if (!index) return
    this.indexes.delete(from)
    this.indexes.set(to, index)
  }

  /** The plain columns an index covers; undefined when lint does not know them. */
  indexColumns(name: string): readonly string[] | undefined {
    return this.indexes.get(name)?.columns
  }

  indexesOn(table: string): string[] {
    return [...this.indexes].filter(([, state]) => state.table === table).map(([name]) => name)
  }

  /** Whether an index or key may cover the column: known to, or on a table whose indexes lint cannot see. */
  mayBeIndexed(table: string, column: string): boolean {
    const state = this.tables.get(table)
    if (!state || state.createdIn === 0 || state.keyColumns.has(column)) return true
    return this.indexesOn(table).some((name) => this.indexColumns(name)?.includes(column) ?? true)
  }

  createFunction(name: string, volatility: FunctionVolatility): void {
    this.functions.set(name, volatility)
  }

  functionVolatility(name: string): FunctionVolatility | undefined {
    return this.functions.get(name)
  }

  /** Records a NOT VALID constraint added in the current migration, to spot VALIDATE in the same one. */
  noteNotValid(table: string, constraint: string, kind: 'check' | 'foreign-key'): void {
    this.tableOrExisting(table).notValidIn.set(constraint, { migration: this.migration, kind })
  }

  /** The kind of a constraint this migration added NOT VALID, if it did. */
  addedNotValidHere(table: string, constraint: string): 'check' | 'foreign-key' | undefined {
    const added = this.tables.get(table)?.notValidIn.get(constraint)
    return added && added.migration === this.migration ? added.kind : undefined
  }

  private isNew(serial: number | undefined): boolean {
    return serial !== undefined && serial >= this.planStart
  }
}

export type FunctionVolatility = 'immutable' | 'stable' | 'volatile'

export interface TableState {
  /** Serial number of the migration that created it; 0 for a table that was there before. */
  readonly createdIn: number
  readonly columns: Map<string, ColumnState>
  /** PARTITION BY: an index on it is built partition by partition, and CONCURRENTLY is refused. */
  readonly partitioned?: boolean
  /** Columns of its primary key and unique constraints, whose indexes lint does not list by name. */
  readonly keyColumns: Set<string>
  /** `CHECK (column IS NOT NULL)` constraints by name, and whether each has been validated. */
  readonly notNullChecks: Map<string, { readonly column: string; validated: boolean }>
  readonly notValidIn: Map<string, { readonly migration: number; readonly kind: 'check' | 'foreign-key' }>
  readonly triggers: Set<string>
  rowsIn: number | undefined
}

export interface ColumnState {
  readonly addedIn: number
  /** Normalised type, `varchar(20)`, `int4`; undefined when not known. */
  readonly type: string | undefined
  readonly notNull: boolean
  /** The collation a migration gave it (`C`); undefined for the type's default. */
  readonly collation?: string | undefined
}

interface IndexState {
  table: string
  readonly createdIn: number
  readonly columns: readonly string[] | undefined
}
