import type { ClientOnlyStatement, StatementRole } from '@mig/core'

// sqlite3's `.schema` lists the tables SQLite makes itself (for AUTOINCREMENT, and for ANALYZE),
// and SQLite refuses to create them.
const INTERNAL_TABLE = /^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?["`[]?(sqlite_sequence|sqlite_stat\d)\b/i
const PRAGMA = /^PRAGMA\s+(?:\w+\s*\.\s*)?(\w+)\s*(?:=\s*(.+?)|\((.+?)\))?\s*;?\s*$/is

/** PRAGMAs stored in the database file, with the statement that puts the default back. */
const LASTING: Record<string, string> = {
  journal_mode: 'PRAGMA journal_mode = DELETE;',
  user_version: 'PRAGMA user_version = 0;',
  application_id: 'PRAGMA application_id = 0;',
  auto_vacuum: 'PRAGMA auto_vacuum = NONE;',
  page_size: 'PRAGMA page_size = 4096;',
}

/**
 * Every other PRAGMA that sets a value lasts for one connection only (foreign_keys,
 * busy_timeout, synchronous, …), so in a migration it would change nothing for the application.
 */
export function classifySqliteStatement(statement: string): StatementRole {
  const internal = INTERNAL_TABLE.exec(statement.trim())
  if (internal) {
    const maker = internal[1]?.toLowerCase() === 'sqlite_sequence' ? 'for AUTOINCREMENT' : 'when ANALYZE runs'
    return { kind: 'left-out', reason: `SQLite creates its internal tables itself (${maker}) and refuses to create them` }
  }
  const match = PRAGMA.exec(statement.trim())
  if (!match) return { kind: 'schema' }
  const name = (match[1] as string).toLowerCase()
  const value = (match[2] ?? match[3])?.trim()
  if (Object.hasOwn(LASTING, name)) return { kind: 'lasting-setting', undo: LASTING[name] as string }
  return {
    kind: 'connection-setting',
    advice: `PRAGMA ${name} lasts for one connection only; set it where connections are opened, e.g. sqliteDriver({ pragmas: { ${name}: ${JSON.stringify(value ?? '')} } }) for mig, and in your application's database setup.`,
  }
}

// The splitter keeps a dot-command's line with the statement after it (it has no semicolon),
// so a dot-command is recognised where a statement starts.
const DOT_COMMAND = /^\.[A-Za-z]\w*/

const DOT_COMMAND_FIXES: Record<string, string> = {
  '.read':
    "the sqlite3 shell reads that file and runs it itself, and SQLite does not know its dot-commands. Put the file's SQL in the migration instead.",
  '.import':
    'the sqlite3 shell reads that file and inserts its rows itself, and SQLite does not know its dot-commands. Write the rows as INSERT statements in the migration, or load the data outside migrations (sqlite3 with .import).',
}

/** What only the sqlite3 shell can run: its dot-commands (`.read`, `.import`, `.mode`, `.headers`, …). */
export function sqliteClientOnly(statement: string): ClientOnlyStatement | undefined {
  const command = DOT_COMMAND.exec(statement.trim())?.[0]
  if (!command) return undefined
  return {
    command,
    fix:
      DOT_COMMAND_FIXES[command.toLowerCase()] ??
      'the sqlite3 shell runs its dot-commands itself (they set how it reads and prints), and SQLite does not know them. Remove it, or run the script with sqlite3 outside migrations.',
  }
}
