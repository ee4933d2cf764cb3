const CONTROL = /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i
/** White space and comments before a statement's first token. */
const LEADING = /^(?:\s+|--[^\n\r]*|\/\*[\s\S]*?\*\/)*/

/**
 * The default of `DialectText.transactionControl`: the SQL-standard transaction commands and
 * the spellings SQLite and PostgreSQL add (`END`, `ABORT`, `BEGIN IMMEDIATE`, `PREPARE
 * TRANSACTION`). The splitters return a statement from its first token; comments before it are
 * skipped all the same, so that a splitter that keeps them cannot hide a `COMMIT` behind `-- note`.
 */
export function standardTransactionControl(statement: string): string | undefined {
  const command = CONTROL.exec(statement.slice(LEADING.exec(statement)?.[0].length ?? 0))?.[1]
  return command?.toUpperCase().replace(/\s+/g, ' ')
}
