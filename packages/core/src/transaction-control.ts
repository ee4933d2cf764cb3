const CONTROL = /^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b/i

/**
 * The default of `DialectText.transactionControl`: the SQL-standard transaction commands and
 * the spellings SQLite and PostgreSQL add (`END`, `ABORT`, `BEGIN IMMEDIATE`, `PREPARE
 * TRANSACTION`). The statement starts at its first token, as the splitters return it.
 */
export function standardTransactionControl(statement: string): string | undefined {
  const command = CONTROL.exec(statement.trimStart())?.[1]
  return command?.toUpperCase().replace(/\s+/g, ' ')
}
