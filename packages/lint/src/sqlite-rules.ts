import type { DialectText } from '@mig/core'
import type { LintRule, RuleHit } from './lint-rule.js'
import type { SchemaState } from './schema-state.js'
import type { SqliteShape } from './sqlite-statement-shape.js'

/** The SQLite driver's dialect text (pure functions, no connection) that lint shares with it. */
export type SqliteDialectText = Pick<DialectText, 'splitStatements' | 'inspectScript'>

export interface SqliteStatement {
  readonly text: string
  /** Offset in the section. */
  readonly offset: number
  readonly shape: SqliteShape
}

/** What a SQLite rule sees of one statement. */
export interface SqliteContext {
  readonly statement: SqliteStatement
  /** The statements before it in the same migration: a copy, so a rule asks only when it needs them. */
  preceding(): readonly SqliteStatement[]
  /** The statements after it in the same migration: a copy, likewise. */
  following(): readonly SqliteStatement[]
  readonly transaction: boolean
  readonly state: SchemaState
  /** Indexes and triggers of tables this migration dropped, by table, as they were before the drop. */
  readonly droppedHere: ReadonlyMap<string, DroppedTable>
  readonly dialect: SqliteDialectText
  /** Whether a `PRAGMA foreign_keys = OFF` earlier in this section is still in force. */
  readonly foreignKeysOff: boolean
}

/** What a table had when this migration dropped it. */
export interface DroppedTable {
  /** Each index with the plain columns it covered (undefined when a key is an expression). */
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[] | undefined }[]
  readonly triggers: readonly string[]
}

type Rule = LintRule<SqliteContext>

const quote = (name: string) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`)

export const sqliteAddColumnRefused: Rule = {
  id: 'sqlite-add-column-refused',
  dialect: 'sqlite',
  defaultLevel: 'error',
  summary:
    'ADD COLUMN that SQLite refuses: PRIMARY KEY or UNIQUE, or on a table with rows NOT NULL without a default, a non-constant default, or STORED',
  check({ statement, state }) {
    const { shape } = statement
    if (shape.kind !== 'add-column') return []
    const { table, column } = shape
    const name = quote(column.name)
    const type = column.definition.split(/\s+/)[0] ?? '<type>'
    const at = statement.offset + (column.offset ?? 0)
    const refuse = (message: string, recipe: string[]): RuleHit[] => [
      { message: `SQLite refuses this ADD COLUMN: ${message}`, recipe: recipe.join('\n'), offset: at },
    ]
    if (column.primaryKey) return refuse('a PRIMARY KEY column cannot be added.', rebuildRecipe(table))
    if (column.unique) {
      return refuse('a UNIQUE column cannot be added.', [
        `ALTER TABLE ${quote(table)} ADD COLUMN ${name} ${type};`,
        `CREATE UNIQUE INDEX ${quote(`${table}_${column.name}_key`)} ON ${quote(table)} (${name});`,
      ])
    }
    if (!state.mayHoldRows(table)) return []
    if (column.notNull && (column.defaultValue === 'none' || column.defaultValue === 'null')) {
      return refuse(`${quote(table)} may have rows, and a NOT NULL column needs a default other than NULL to fill them.`, [
        `ALTER TABLE ${quote(table)} ADD COLUMN ${name} ${type} NOT NULL DEFAULT <constant>;`,
      ])
    }
    if (column.defaultValue === 'expression') {
      return refuse(
        `${quote(table)} may have rows, and a column with a non-constant default (CURRENT_TIMESTAMP, an expression in parentheses) cannot be added to them.`,
        [
          `ALTER TABLE ${quote(table)} ADD COLUMN ${name} ${type};`,
          `UPDATE ${quote(table)} SET ${name} = <expression>;`,
          '-- new rows then need the value from the application;',
          '-- or, to keep the default, rebuild the table instead:',
          ...rebuildRecipe(table),
        ],
      )
    }
    if (column.references && column.defaultValue === 'constant') {
      // SQLite checks this only while foreign keys are on: better-sqlite3's default, and so mig's.
      const withoutDefault = column.definition.replace(/\s+default\s+(\([^()]*\)|'(?:[^']|'')*'|\S+)/i, '')
      return refuse(
        `${quote(table)} may have rows, and a REFERENCES column with a default other than NULL cannot be added to them while foreign keys are on.`,
        column.notNull
          ? rebuildRecipe(table)
          : [
              `ALTER TABLE ${quote(table)} ADD COLUMN ${name} ${withoutDefault};`,
              `UPDATE ${quote(table)} SET ${name} = <value>;`,
              '-- new rows then need the value from the application;',
              '-- or, to keep the default, rebuild the table instead:',
              ...rebuildRecipe(table),
            ],
      )
    }
    if (column.storedGenerated) {
      return refuse(`${quote(table)} may have rows, and a STORED generated column cannot be added to them.`, [
        `ALTER TABLE ${quote(table)} ADD COLUMN ${name} ${column.definition.replace(/\s+stored\b/i, ' VIRTUAL')};`,
        '-- or rebuild the table with the stored column:',
        ...rebuildRecipe(table),
      ])
    }
    return []
  },
}

function rebuildRecipe(table: string): string[] {
  const name = quote(table)
  const next = quote(`${table}_new`)
  return [
    `CREATE TABLE ${next} (<every column of ${table}, and the new one>);`,
    `INSERT INTO ${next} (<columns>) SELECT <columns> FROM ${name};`,
    `DROP TABLE ${name};`,
    `ALTER TABLE ${next} RENAME TO ${name};`,
    `-- then create ${table}'s indexes and triggers again`,
  ]
}

export const sqlitePragmaNoEffect: Rule = {
  id: 'sqlite-pragma-no-effect',
  dialect: 'sqlite',
  defaultLevel: 'error',
  summary: 'A PRAGMA that SQLite ignores (or refuses) inside a transaction, in a migration that runs in one',
  check({ statement, transaction, dialect }) {
    if (statement.shape.kind !== 'pragma') return []
    const problem = dialect.inspectScript(statement.text, transaction ? 'transaction' : 'no-transaction')[0]
    if (!problem) return []
    // The driver's warning says what happens, then what to do; the finding and the recipe split it.
    const [finding, ...advice] = problem.split('. ')
    // foreign_keys is to be removed, not moved: outside a transaction, OFF would switch mig's check off for the rest of the run.
    if (statement.shape.name === 'foreign_keys') {
      const removal = [
        '-- remove it: mig already runs each migration with foreign keys off and checks them with PRAGMA foreign_key_check before it commits.',
        '-- (outside a transaction, foreign_keys = OFF would switch that check off for every migration after it in the run)',
      ]
      return [{ message: `${finding}.`, recipe: removal.join('\n') }]
    }
    return [
      {
        message: `${finding}.`,
        recipe: [`-- ${advice.join('. ')}`, '-- mig:no-transaction', '-- mig:up', statement.text.trim()].join('\n'),
      },
    ]
  },
}

export const sqliteRebuildLosesIndexes: Rule = {
  id: 'sqlite-rebuild-loses-indexes',
  dialect: 'sqlite',
  defaultLevel: 'error',
  summary:
    'A table rebuild (create new, copy, drop old, rename; or rename old, create new, copy, drop old) that does not create the old table’s indexes and triggers again',
  check(context) {
    const { statement, droppedHere, state } = context
    const { shape } = statement
    // Create new, copy, drop old, rename new: the old table's indexes and triggers went with the drop.
    if (shape.kind === 'rename-table') {
      const old = droppedHere.get(shape.to)
      return old ? lostInRebuild(shape.to, shape.table, old, `ALTER TABLE … RENAME TO ${quote(shape.to)}`, context.following(), state) : []
    }
    // Rename old away, create new, copy, drop old: the rename took them along, and they go with this drop.
    if (shape.kind !== 'drop-table') return []
    const preceding = context.preceding()
    for (let index = preceding.length - 1; index >= 0; index--) {
      const earlier = preceding[index]?.shape
      if (earlier?.kind !== 'rename-table' || earlier.to !== shape.name) continue
      const table = earlier.table
      if (!preceding.slice(index + 1).some(({ shape: next }) => next.kind === 'create-table' && next.table === table)) return []
      const indexes = state.indexesOn(shape.name).map((name) => ({ name, columns: state.indexColumns(name) }))
      const old = { indexes, triggers: [...(state.table(shape.name)?.triggers ?? [])] }
      return lostInRebuild(table, table, old, `DROP TABLE ${quote(shape.name)}`, context.following(), state)
    }
    return []
  },
}

/**
 * The finding for a rebuilt table whose old indexes and triggers the migration does not create
 * again; `built` is the name the new table has at this statement.
 */
function lostInRebuild(
  table: string,
  built: string,
  old: DroppedTable,
  after: string,
  following: readonly SqliteStatement[],
  state: SchemaState,
): RuleHit[] {
  const recreated = new Set(
    following.flatMap(({ shape: later }) => (later.kind === 'create-index' || later.kind === 'create-trigger' ? [later.name] : [])),
  )
  // An index on a column the new table does not have went with that column: there is nothing to create again.
  const columns = state.table(built)?.columns
  const coversDroppedColumn = (indexed: readonly string[] | undefined) =>
    Boolean(columns?.size && indexed?.some((column) => !columns.has(column)))
  const lostIndexes = old.indexes
    .filter((index) => !recreated.has(index.name) && !coversDroppedColumn(index.columns))
    .map((index) => index.name)
  const lostTriggers = old.triggers.filter((name) => !recreated.has(name))
  if (!lostIndexes.length && !lostTriggers.length) return []
  const lost = [...lostIndexes.map((name) => `index ${quote(name)}`), ...lostTriggers.map((name) => `trigger ${quote(name)}`)]
  return [
    {
      message: `Rebuilding ${quote(table)} drops its ${lost.join(', ')} with the old table, and this migration does not create ${lost.length > 1 ? 'them' : 'it'} again.`,
      recipe: [
        `-- after ${after}, in the same migration:`,
        ...lostIndexes.map((name) => `CREATE INDEX ${quote(name)} ON ${quote(table)} (<its columns>);`),
        ...lostTriggers.map((name) => `CREATE TRIGGER ${quote(name)} … ON ${quote(table)} …;`),
      ].join('\n'),
    },
  ]
}

export const sqliteRebuildCascades: Rule = {
  id: 'sqlite-rebuild-cascades',
  dialect: 'sqlite',
  defaultLevel: 'error',
  summary:
    'A table rebuild outside a transaction with foreign keys on, whose DROP TABLE deletes (ON DELETE CASCADE) or unlinks the rows of child tables',
  check(context) {
    const { shape } = context.statement
    if (context.transaction || context.foreignKeysOff || shape.kind !== 'drop-table') return []
    const rebuilt = context.following().some(({ shape: later }) => later.kind === 'rename-table' && later.to === shape.name)
    if (!rebuilt) return []
    return [
      {
        message:
          `This migration runs outside a transaction, where mig leaves foreign keys on, so DROP TABLE ${quote(shape.name)} first deletes its rows: ` +
          'rows of child tables with ON DELETE CASCADE are deleted with them, SET NULL ones lose their parent, and nothing rolls it back.',
        recipe: [
          '-- remove -- mig:no-transaction: in a transaction mig turns foreign keys off for the rebuild and checks them before it commits',
          "<the rebuild's statements>",
          '-- or turn foreign keys off around the rebuild:',
          '-- mig:no-transaction',
          '-- mig:up',
          'PRAGMA foreign_keys = OFF;',
          "<the rebuild's statements>",
          'PRAGMA foreign_keys = ON;',
        ].join('\n'),
      },
    ]
  },
}
