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
const COLUMN = Object.fromEntries(TOKENS.map((token, column) => [token, column])) as Record<Token, number>

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
    const next = readToken(sql, index)
    const token = lastToken
    if (token !== 'space' && token !== 'semicolon' && start < 0) start = index
    const target = TRANSITIONS[state][COLUMN[token]] as State | 'complete'
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
    const next = readToken(sql, index)
    const char = sql[index]
    const pair = sql.slice(index, index + 2)
    if (char === "'" || pair === '--' || pair === '/*') ranges.push({ start: index, end: next })
    index = next
  }
  return ranges
}

/** The kind of the token {@link readToken} read last: a tuple per token would make splitting mostly garbage collection. */
let lastToken: Token = 'other'

/** Reads the token at `index` into {@link lastToken} and returns the index just past it. */
function readToken(sql: string, index: number): number {
  const code = sql.charCodeAt(index)
  lastToken = 'other'
  if (code === 0x3b /* ; */) {
    lastToken = 'semicolon'
    return index + 1
  }
  if (isSpace(code)) {
    // Every state goes back to itself on white space, so a run of it is one token.
    let end = index + 1
    while (end < sql.length && isSpace(sql.charCodeAt(end))) end++
    lastToken = 'space'
    return end
  }
  const following = sql.charCodeAt(index + 1)
  if (code === 0x2d /* - */ && following === 0x2d) {
    lastToken = 'space'
    return endOf(sql, '\n', index + 2)
  }
  if (code === 0x2f /* / */ && following === 0x2a /* * */) {
    lastToken = 'space'
    return endOf(sql, '*/', index + 2)
  }
  if (code === 0x27 /* ' */ || code === 0x22 /* " */ || code === 0x60 /* ` */) return endOfQuoted(sql, code, index + 1)
  if (code === 0x5b /* [ */) return endOf(sql, ']', index + 1)
  if (isWordStart(code)) {
    let end = index + 1
    while (end < sql.length && isWordPart(sql.charCodeAt(end))) end++
    // Keywords are at most 9 letters: a longer word is never one, and is not copied to find out.
    if (end - index <= 9) {
      const word = sql.slice(index, end).toLowerCase()
      // hasOwn: a plain lookup would find `constructor`, `toString` or `__proto__` on Object.prototype.
      if (Object.hasOwn(KEYWORDS, word)) lastToken = KEYWORDS[word] as Token
    }
    return end
  }
  return index + 1
}

/** What `/\s/` matches, for one UTF-16 code unit. */
function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d)
  if (code < 0xa0) return false
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  )
}

/** `[A-Za-z_]` */
function isWordStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f
}

/** `[A-Za-z0-9_$]` */
function isWordPart(code: number): boolean {
  return isWordStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x24
}

/** Index just past `terminator`, or the end of the text when it never comes. */
function endOf(sql: string, terminator: string, from: number): number {
  const found = sql.indexOf(terminator, from)
  return found < 0 ? sql.length : found + terminator.length
}

/** Quotes escape themselves by doubling: 'it''s'. */
function endOfQuoted(sql: string, quote: number, from: number): number {
  let index = from
  while (index < sql.length) {
    if (sql.charCodeAt(index) === quote) {
      if (sql.charCodeAt(index + 1) !== quote) return index + 1
      index += 2
    } else index++
  }
  return sql.length
}
