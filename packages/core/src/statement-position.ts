import type { DriverConnection } from './driver.js'
import type { FilePosition } from './errors.js'
import type { SqlStep } from './migration.js'

/** Turns an offset into a section's SQL into a line and column of the migration file. */
export function positionInStep(step: SqlStep, offset: number): FilePosition {
  const before = step.sql.slice(0, Math.max(0, Math.min(offset, step.sql.length)))
  const lastNewline = before.lastIndexOf('\n')
  let lines = 0
  for (let index = before.indexOf('\n'); index !== -1; index = before.indexOf('\n', index + 1)) lines++
  return { line: step.line + lines, column: offset - lastNewline }
}

/** The statement of a script that contains the offset, for error messages. */
export function statementAt(connection: DriverConnection, sql: string, offset: number): string | undefined {
  let found: string | undefined
  for (const statement of connection.splitStatements(sql)) {
    if (statement.offset > offset) break
    found = statement.text
  }
  return found
}
