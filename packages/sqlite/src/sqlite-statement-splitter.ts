import type { SqlRange, SqlStatement } from '@mig/core'

type Token = 'semicolon' | 'space' | 'other' | 'explain' | 'create' | 'temp' | 'trigger' | 'end'

/**
 * Where a statement ends, by the rule SQLite itself uses to decide whether input is complete:
 * at a semicolon outside strings, identifiers and comments, except inside the body of
 * `CREATE TRIGGER ... BEGIN ... END`, which ends at `END ;`.
 *
 * States: start → (normal | explain | create); create → trigger on TRIGGER; a trigger body
 * moves trigger → semicolon → end, and only `END ;` closes it.
 */
type State = 'start' | 'normal' | 'explain' | 'create' | 'trigger' | 'trigger-semicolon' | 'trigger-end'

const TOKENS: readonly Token[] = ['semicolon', 'space', 'other', 'explain', 'create', 'temp', 'trigger', 'end']

/** One row a state, one column a token (in the order of {@link TOKENS}), as SQLite's own table has them. */
// biome-ignore format: a table is read by its columns
const TRANSITIONS: Record<State, readonly (State | 'complete')[]> = {
  //                     semicolon            space                other      explain    create     temp       trigger    end
  start:               ['start',             'start',             'normal',  'explain', 'create',  'normal',  'normal',  'normal'],
  normal:              ['complete',          'normal',            'normal',  'normal',  'normal',  'normal',  'normal',  'normal'],
  explain:             ['complete',          'explain',           'explain', 'normal',  'create',  'normal',  'normal',  'normal'],
  create:              ['complete',          'create',            'normal',  'normal',  'normal',  'create',  'trigger', 'normal'],
  trigger:             ['trigger-semicolon', 'trigger',           'trigger', 'trigger', 'trigger', 'trigger', 'trigger', 'trigger'],
  'trigger-semicolon': ['trigger-semicolon', 'trigger-semicolon', 'trigger', 'trigger', 'trigger', 'trigger', 'trigger', 'trigger-end'],
  'trigger-end':       ['complete',          'trigger-end',       'trigger', 'trigger', 'trigger', 'trigger', 'trigger', 'trigger'],
}

const KEYWORDS: Record<string, Token> = {
  explain: 'explain',
  create: 'create',
  temp: 'temp',
  temporary: 'temp',
  trigger: 'trigger',
  end: 'end',
}

let lastSplit: { sql: string; statements: SqlStatement[] } | undefined

/** Splits a SQLite script into statements; each starts at its first token, comments before it dropped. */
export function splitSqliteStatements(sql: string): SqlStatement[] {
  // One migration's SQL is split for the PRAGMA check, to run it and to name a failing
  // statement; remembering the last script makes that one split.
  if (lastSplit?.sql !== sql) lastSplit = { sql, statements: split(sql) }
  return lastSplit.statements
}

function split(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = []
  let state: State = 'start'
  let start = -1
  let index = 0
  while (index < sql.length) {
    const [token, next] = readToken(sql, index)
    if (token !== 'space' && token !== 'semicolon' && start < 0) start = index
    const target = TRANSITIONS[state][TOKENS.indexOf(token)] as State | 'complete'
    if (target === 'complete') {
      statements.push({ text: sql.slice(start, next), offset: start })
      state = 'start'
      start = -1
    } else {
      state = target
    }
    index = next
  }
  if (start >= 0) statements.push({ text: sql.slice(start).trimEnd(), offset: start })
  return statements
}

/**
 * The string literals (`'…'`) and comments of a script, by the splitter's own tokens; `"…"`,
 * `` `…` `` and `[…]` are identifiers, so code. For placeholders.
 */
export function sqliteLiteralRanges(sql: string): SqlRange[] {
  const ranges: SqlRange[] = []
  let index = 0
  while (index < sql.length) {
    const [, next] = readToken(sql, index)
    const char = sql[index]
    const pair = sql.slice(index, index + 2)
    if (char === "'" || pair === '--' || pair === '/*') ranges.push({ start: index, end: next })
    index = next
  }
  return ranges
}

function readToken(sql: string, index: number): [Token, number] {
  const char = sql[index] as string
  if (char === ';') return ['semicolon', index + 1]
  if (/\s/.test(char)) return ['space', index + 1]
  if (char === '-' && sql[index + 1] === '-') return ['space', endOf(sql, '\n', index + 2)]
  if (char === '/' && sql[index + 1] === '*') return ['space', endOf(sql, '*/', index + 2)]
  if (char === "'" || char === '"' || char === '`') return ['other', endOfQuoted(sql, char, index + 1)]
  if (char === '[') return ['other', endOf(sql, ']', index + 1)]
  if (/[A-Za-z_]/.test(char)) {
    let end = index + 1
    while (end < sql.length && /[A-Za-z0-9_$]/.test(sql[end] as string)) end++
    const word = sql.slice(index, end).toLowerCase()
    // hasOwn: a plain lookup would find `constructor`, `toString` or `__proto__` on Object.prototype.
    return [Object.hasOwn(KEYWORDS, word) ? (KEYWORDS[word] as Token) : 'other', end]
  }
  return ['other', index + 1]
}

/** Index just past `terminator`, or the end of the text when it never comes. */
function endOf(sql: string, terminator: string, from: number): number {
  const found = sql.indexOf(terminator, from)
  return found < 0 ? sql.length : found + terminator.length
}

/** Quotes escape themselves by doubling: 'it''s'. */
function endOfQuoted(sql: string, quote: string, from: number): number {
  let index = from
  while (index < sql.length) {
    if (sql[index] === quote) {
      if (sql[index + 1] !== quote) return index + 1
      index += 2
    } else index++
  }
  return sql.length
}
