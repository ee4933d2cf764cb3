import type { DialectLinter, StatementHit } from './dialect-linter.js'
import { driverDialectText } from './driver-dialect-text.js'
import type { LintRule } from './lint-rule.js'
import type { SchemaState } from './schema-state.js'
import type { DroppedTable, SqliteContext, SqliteDialectText, SqliteStatement } from './sqlite-rules.js'
import { shapeOfSqlite } from './sqlite-statement-shape.js'

export const sqliteLinter: DialectLinter = {
  async lintSection(sql, transaction, state, rules: readonly LintRule<SqliteContext>[]) {
    // Its splitter and PRAGMA checks are the driver's own.
    const dialect: SqliteDialectText = await driverDialectText('sqlite')
    const statements: SqliteStatement[] = dialect
      .splitStatements(sql)
      .map((statement) => ({ text: statement.text, offset: statement.offset, shape: shapeOfSqlite(statement.text) }))
    const droppedHere = new Map<string, DroppedTable>()
    const hits: StatementHit[] = []
    let previousEnd = 0
    let foreignKeysOff = false
    for (const [index, statement] of statements.entries()) {
      const end = statement.offset + statement.text.length
      const context: SqliteContext = {
        statement,
        // Copies, made only for a rule that asks: a seed migration can hold thousands of statements.
        preceding: () => statements.slice(0, index),
        following: () => statements.slice(index + 1),
        transaction,
        state,
        droppedHere,
        dialect,
        foreignKeysOff,
      }
      for (const rule of rules) {
        for (const hit of rule.check(context)) {
          hits.push({ rule: rule.id, hit, statementOffset: statement.offset, zone: { from: previousEnd, to: end } })
        }
      }
      if (statement.shape.kind === 'drop-table') {
        const table = state.table(statement.shape.name)
        const indexes = state.indexesOn(statement.shape.name).map((name) => ({ name, columns: state.indexColumns(name) }))
        droppedHere.set(statement.shape.name, { indexes, triggers: [...(table?.triggers ?? [])] })
      }
      if (statement.shape.kind === 'pragma' && statement.shape.name === 'foreign_keys') {
        // `= OFF` or SQLite's other spelling, `('off')`.
        const value = /(?:=|\()\s*['"]?(\w+)/.exec(statement.text)?.[1]?.toLowerCase()
        if (value !== undefined) foreignKeysOff = ['off', '0', 'false', 'no'].includes(value)
      }
      applySqliteStatement(state, statement)
      previousEnd = end
    }
    return { hits }
  },
}

function applySqliteStatement(state: SchemaState, { shape }: SqliteStatement): void {
  switch (shape.kind) {
    case 'create-table':
      state.createTable(shape.table)
      for (const column of shape.columns) state.addColumn(shape.table, column.name, undefined)
      return
    case 'create-index':
      state.createIndex(shape.name, shape.table, shape.columns)
      return
    case 'create-trigger':
      state.tableOrExisting(shape.table).triggers.add(shape.name)
      return
    case 'drop-table':
      state.dropTable(shape.name)
      return
    case 'drop-index':
      state.dropIndex(shape.name)
      return
    case 'rename-table':
      state.renameTable(shape.table, shape.to)
      return
    case 'add-column':
      state.addColumn(shape.table, shape.column.name, undefined)
      return
    case 'rename-column':
      state.renameColumn(shape.table, shape.from, shape.to)
      return
    case 'drop-column':
      state.dropColumn(shape.table, shape.column)
      return
    case 'insert':
      state.noteRows(shape.table)
      return
  }
}
