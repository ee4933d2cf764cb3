import type { SqlStatement } from '@mig/core'

const SETTING =
  /^(?:SET\s+(?:SESSION\s+|LOCAL\s+)?standard_conforming_strings\s*(?:=|\bTO\b)\s*'?([A-Za-z0-9_]+)'?|RESET\s+(standard_conforming_strings|ALL))\s*;?\s*$/i

/**
 * Whether `'…'` strings keep backslashes as written after a statement runs. With
 * `standard_conforming_strings = off` the server reads a backslash in `'…'` as an escape, as in
 * `E'…'`, so `'it\'s; fine'` is one string. `RESET` and `DEFAULT` put back the default, on.
 * A value PostgreSQL would not accept changes nothing here; the server reports it.
 */
export function standardStringsAfter(statement: string, current: boolean): boolean {
  const match = SETTING.exec(statement.trim())
  if (!match) return current
  if (match[2]) return true
  const value = (match[1] as string).toLowerCase()
  if (value === 'default') return true
  if (value.length > 1 && 'off'.startsWith(value)) return false
  if (['false', 'no', '0'].some((word) => word.startsWith(value))) return false
  if (['true', 'yes', 'on', '1'].some((word) => word.startsWith(value) && value !== 'o')) return true
  return current
}

const MENTION = /standard_conforming_strings|\bRESET\s+ALL\b/i

/** Whether a script may change the setting at all: a test of its text, so that most scripts are never split for it. */
export function mentionsStandardStrings(sql: string): boolean {
  return MENTION.test(sql)
}

/** Whether a script changes how the server lexes its own later statements. */
export function changesStandardStrings(statements: readonly SqlStatement[]): boolean {
  return statements.some((statement) => SETTING.test(statement.text.trim()))
}
