import { normaliseSql } from './schema-snapshot.js'

/** Where two definitions first differ, as each side spells that line, cut to a length a message can hold. */
export interface LineDifference {
  /** The line's number in `actual`, from 1 (in `expected` when `actual` has no more lines). */
  readonly line: number
  /** Whether either text has more than one line; a one-line text needs no line number. */
  readonly multiline: boolean
  /** That line of each side, trimmed and cut around the difference; undefined where a side has no more lines. */
  readonly expected: string | undefined
  readonly actual: string | undefined
}

const EXCERPT_LENGTH = 72
const CONTEXT_BEFORE = 24

/**
 * The first line that differs between two texts, compared as definitions are (see
 * {@link normaliseSql}): blank lines and indentation do not count. Undefined when no single line
 * differs, which happens only when the texts differ in nothing but where their lines break.
 */
export function firstDifferingLine(expected: string, actual: string): LineDifference | undefined {
  const want = contentLines(expected)
  const have = contentLines(actual)
  for (let index = 0; index < Math.max(want.length, have.length); index++) {
    const wanted = want[index]
    const had = have[index]
    if (wanted && had && normaliseSql(wanted.text) === normaliseSql(had.text)) continue
    const [a, b] = [wanted?.text ?? '', had?.text ?? '']
    const differing = firstDifferingCharacter(a, b)
    const start = Math.max(a.length, b.length) <= EXCERPT_LENGTH ? 0 : excerptStart(a, differing)
    return {
      line: (had ?? wanted)?.number ?? 1,
      multiline: want.length > 1 || have.length > 1,
      expected: wanted && excerpt(wanted.text, start, differing),
      actual: had && excerpt(had.text, start, differing),
    }
  }
  return undefined
}

function contentLines(text: string): { number: number; text: string }[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ number: index + 1, text: line.trim() }))
    .filter((line) => line.text !== '')
}

/** Where both excerpts start: at a word some way before the first differing character. */
function excerptStart(line: string, differing: number): number {
  if (differing <= CONTEXT_BEFORE) return 0
  const word = line.lastIndexOf(' ', differing - CONTEXT_BEFORE) + 1
  return word > 0 && differing - word < EXCERPT_LENGTH / 2 ? word : differing - CONTEXT_BEFORE
}

// Case counts only where nothing else differs: outside quotes it does not count at all.
function firstDifferingCharacter(a: string, b: string): number {
  const mismatch = (x: string, y: string) => {
    let index = 0
    while (index < x.length && index < y.length && x[index] === y[index]) index++
    return index
  }
  const ignoringCase = mismatch(a.toLowerCase(), b.toLowerCase())
  return ignoringCase < Math.max(a.length, b.length) ? ignoringCase : mismatch(a, b)
}

/** The line from `start`, at most {@link EXCERPT_LENGTH} long, ending at a word after the difference where it can. */
function excerpt(line: string, start: number, differing: number): string {
  let end = start + EXCERPT_LENGTH
  if (end < line.length) {
    const word = line.lastIndexOf(' ', end)
    if (word > differing) end = word
  }
  return `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`
}
