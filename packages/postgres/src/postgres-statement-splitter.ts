import type { SqlRange, SqlStatement } from '@mig/core'
import { standardStringsAfter } from './postgres-standard-strings.js'

type State = 'code' | 'single-quote' | 'escape-string' | 'quoted-identifier' | 'dollar-quote' | 'line-comment' | 'block-comment'

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y
const WORD_START = /[A-Za-z_\u0080-\uffff]/
const WORD = /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/y
const NUMBER = /[0-9][A-Za-z0-9_.]*/y
const ROUTINES = new Set(['function', 'procedure'])
const HORIZONTAL_SPACE = ' \t\f'
const SPACE = ' \t\n\r\f\v'
const NEWLINE = '\n\r'

/**
 * The server's `quotecontinue`: a string literal followed by whitespace holding a newline (and
 * `--` comments) and another quote goes on in the same kind of string, so `E'a\n'` newline
 * `'it\'s'` is one escape string. Returns the index after the quote that continues the string
 * closed just before `from`, or -1. A scan, not a regular expression: the lexer's pattern, written
 * as one, backtracks exponentially on a long indented line after a string.
 */
function quoteContinues(sql: string, from: number): number {
  let index = from
  let newline = false
  while (index < sql.length) {
    const char = sql[index] as string
    if (sql.startsWith('--', index)) {
      while (index < sql.length && !NEWLINE.includes(sql[index] as string)) index++
      // After the first newline a comment counts only when a newline ends it.
      if (newline && index === sql.length) return -1
    } else if (NEWLINE.includes(char)) {
      newline = true
      index++
    } else if ((newline ? SPACE : HORIZONTAL_SPACE).includes(char)) {
      index++
    } else {
      return newline && char === "'" ? index + 1 : -1
    }
  }
  return -1
}

/** ASCII white space by code, the rest (such as a no-break space) as `\s` reads it. */
function isSpace(char: string): boolean {
  const code = char.charCodeAt(0)
  return code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(char))
}

const LINE_END = /[\n\r]/g
const ESCAPE_STRING_STOP = /['\\]/g
const BLOCK_COMMENT_STOP = /[/*]/g

/** Where the match of `token` (sticky, matching at `from`) ends. */
function endOf(token: RegExp, sql: string, from: number): number {
  token.lastIndex = from
  token.test(sql)
  return token.lastIndex
}

/** The index of the first match of `pattern` (global, one character) at or after `from`, or -1. */
function nextOf(pattern: RegExp, sql: string, from: number): number {
  pattern.lastIndex = from
  return pattern.exec(sql)?.index ?? -1
}

/**
 * Splits a PostgreSQL script into statements the way psql does: a semicolon ends a statement
 * unless it is inside a string, quoted identifier, dollar-quoted body, comment, parentheses,
 * or the `BEGIN ATOMIC ... END` body of `CREATE [OR REPLACE] FUNCTION|PROCEDURE`. Strings
 * follow the server's lexer: `SET standard_conforming_strings = off` makes later `'…'` strings
 * read backslash escapes (the script is assumed to start with the default, on), and a string
 * continued on the next line by another literal keeps its kind. Each
 * statement runs from its first token through its semicolon; comments and blanks between
 * statements are dropped. A quote, body or comment left open runs to the end of the script, so
 * the server reports it.
 */
export function splitPostgresStatements(sql: string): SqlStatement[] {
  return scan(sql)
}

/**
 * The string literals (plain, `E''`, continued), dollar-quoted bodies and comments of a script,
 * as the splitter reads them; quoted identifiers are code. For placeholders.
 */
export function postgresLiteralRanges(sql: string): SqlRange[] {
  const ranges: SqlRange[] = []
  scan(sql, ranges)
  return ranges
}

const isLiteral = (state: State) => state !== 'code' && state !== 'quoted-identifier'

/** The one lexer of both: splits into statements and, when `literals` is given, collects the literal ranges into it. */
function scan(sql: string, literals?: SqlRange[]): SqlStatement[] {
  const statements: SqlStatement[] = []
  let state: State = 'code'
  let start = -1
  let end = -1
  let commentStart = -1
  let commentDepth = 0
  let dollarTag = ''
  let parenDepth = 0
  let beginDepth = 0
  let words: string[] = []
  let standardStrings = true

  const mark = (index: number, length: number) => {
    if (start === -1) start = index
    end = index + length
  }
  const finish = (until: number) => {
    if (start !== -1) {
      const text = sql.slice(start, until)
      statements.push({ text, offset: start })
      standardStrings = standardStringsAfter(text, standardStrings)
    }
    start = -1
    end = -1
    commentStart = -1
    parenDepth = 0
    beginDepth = 0
    words = []
  }
  // psql's heuristic: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN opens a body that
  // END closes, and a CASE inside such a body has an END of its own.
  const isRoutine = () =>
    words[0] === 'create' && (ROUTINES.has(words[1] ?? '') || (words[1] === 'or' && words[2] === 'replace' && ROUTINES.has(words[3] ?? '')))
  // Only the first four words are kept: they are all that decide whether the statement creates a routine.
  const countWord = (from: number, to: number) => {
    if (words.length < 4) words.push(sql.slice(from, to).toLowerCase())
    if (parenDepth > 0 || !isRoutine()) return
    const keyword = sql.slice(from, to).toLowerCase()
    if (keyword === 'begin') beginDepth++
    else if (keyword === 'case' && beginDepth > 0) beginDepth++
    else if (keyword === 'end' && beginDepth > 0) beginDepth--
  }

  let index = 0
  let literalStart = -1
  while (index < sql.length) {
    const char = sql[index] as string
    const next = sql[index + 1]
    const before = state
    const at = index
    switch (state) {
      case 'code': {
        if (isSpace(char)) {
          index++
        } else if (char === '-' && next === '-') {
          state = 'line-comment'
          index += 2
        } else if (char === '/' && next === '*') {
          state = 'block-comment'
          commentDepth = 1
          if (start === -1 && commentStart === -1) commentStart = index
          index += 2
        } else if (char === '\\' && start === -1) {
          // A psql command (pg_dump's \restrict) between statements runs to the end of its line.
          const lineEnd = sql.slice(index).search(/[\r\n]/)
          const until = lineEnd < 0 ? sql.length : index + lineEnd
          mark(index, until - index)
          finish(until)
          index = until
        } else if (char === "'") {
          mark(index, 1)
          state = standardStrings ? 'single-quote' : 'escape-string'
          index++
        } else if (char === '"') {
          mark(index, 1)
          state = 'quoted-identifier'
          index++
        } else if (char === '$') {
          DOLLAR_TAG.lastIndex = index
          const tag = DOLLAR_TAG.exec(sql)?.[0]
          if (tag) {
            dollarTag = tag
            state = 'dollar-quote'
          }
          // Without a tag this is a parameter like $1, or part of an operator.
          mark(index, tag?.length ?? 1)
          index += tag?.length ?? 1
        } else if (char === ';' && parenDepth === 0 && beginDepth === 0) {
          finish(index + 1)
          index++
        } else if (WORD_START.test(char)) {
          const wordStart = index
          index = endOf(WORD, sql, index)
          mark(wordStart, index - wordStart)
          if (index - wordStart === 1 && (char === 'E' || char === 'e') && sql[index] === "'") {
            state = 'escape-string'
            mark(index, 1)
            index++
          } else {
            countWord(wordStart, index)
          }
        } else if (char >= '0' && char <= '9') {
          const numberStart = index
          index = endOf(NUMBER, sql, index)
          mark(numberStart, index - numberStart)
        } else {
          if (char === '(') parenDepth++
          else if (char === ')' && parenDepth > 0) parenDepth--
          mark(index, 1)
          index++
        }
        break
      }
      case 'single-quote':
      case 'escape-string': {
        // Up to the next character that can end the string, at once.
        const stop = state === 'single-quote' ? sql.indexOf("'", index) : nextOf(ESCAPE_STRING_STOP, sql, index)
        if (stop !== index) {
          index = stop === -1 ? sql.length : stop
          mark(index - 1, 1)
          break
        }
        if (char === '\\' && state === 'escape-string') {
          index += 2
        } else if (char === "'" && next === "'") {
          index += 2
        } else if (char === "'") {
          const continued = quoteContinues(sql, index + 1)
          if (continued >= 0) index = continued
          else {
            state = 'code'
            index++
          }
        } else {
          index++
        }
        mark(index - 1, 1)
        break
      }
      case 'quoted-identifier': {
        const stop = sql.indexOf('"', index)
        if (stop !== index) {
          index = stop === -1 ? sql.length : stop
          mark(index - 1, 1)
          break
        }
        if (char === '"' && next === '"') index += 2
        else {
          if (char === '"') state = 'code'
          index++
        }
        mark(index - 1, 1)
        break
      }
      case 'dollar-quote': {
        const stop = sql.indexOf(dollarTag, index)
        if (stop === -1) index = sql.length
        else {
          state = 'code'
          index = stop + dollarTag.length
        }
        mark(index - 1, 1)
        break
      }
      case 'line-comment': {
        const stop = nextOf(LINE_END, sql, index)
        if (stop === -1) index = sql.length
        else {
          state = 'code'
          index = stop + 1
        }
        break
      }
      case 'block-comment': {
        const stop = nextOf(BLOCK_COMMENT_STOP, sql, index)
        if (stop !== index) {
          index = stop === -1 ? sql.length : stop
          break
        }
        if (char === '/' && next === '*') {
          commentDepth++
          index += 2
        } else if (char === '*' && next === '/') {
          commentDepth--
          index += 2
          if (commentDepth === 0) {
            state = 'code'
            if (start === -1) commentStart = -1
          }
        } else index++
        break
      }
    }
    if (literals && isLiteral(before) !== isLiteral(state)) {
      if (isLiteral(state)) literalStart = at
      else literals.push({ start: literalStart, end: index })
    }
  }
  if (literals && isLiteral(state)) literals.push({ start: literalStart, end: sql.length })

  if (state === 'block-comment' && start === -1) start = commentStart
  const open = state !== 'code' && state !== 'line-comment'
  finish(open ? sql.length : end)
  return statements
}
