import { normaliseText } from './checksum.js'
import { isDuration } from './duration.js'
import { InvalidMigrationError } from './errors.js'
import type { MigrationScripts, SqlStep } from './migration.js'

const ANNOTATION = /^\s*--\s*mig:(.*)$/
const KNOWN_ANNOTATIONS = ['up', 'down', 'no-transaction', 'lock-timeout <duration>', 'placeholders everywhere', 'allow <rule>: <reason>']
const REPEATABLE_REFUSALS: Readonly<Record<string, string>> = {
  up: 'a repeatable migration is all up: its whole file runs. Remove the "-- mig:up" line.',
  down: 'a repeatable migration has no down section: it is applied again when it changes, never reverted. Remove the "-- mig:down" section.',
  'no-transaction': 'a repeatable migration always runs in a transaction. Move statements that cannot into a versioned migration.',
}
/** `-- mig:allow …` is read by mig lint; the runner accepts it anywhere and leaves it to lint to check. */
const ALLOW_ANNOTATION = /^allow(?:\s|:|$)/
/** A duration with its unit, which a reader of the file need not guess: `500ms`, `30s`, `2min`. */
const LOCK_TIMEOUT = /^lock-timeout\s+(.*[a-z])$/

type Section = 'header' | 'up' | 'down'

/** `versioned`: a numbered file with up and down sections. `repeatable`: a file of `repeatable/`, all up. */
export type MigrationFileKind = 'versioned' | 'repeatable'

/**
 * Splits a migration file into its sections. A line-based state machine:
 *
 *   header --(-- mig:up)--> up --(-- mig:down)--> down
 *
 * `-- mig:no-transaction`, `-- mig:lock-timeout <duration>` and `-- mig:placeholders everywhere`
 * are allowed only in the header,
 * where comments and blank lines may stand too. `-- mig:allow <rule>: <reason>` (a lint
 * suppression) may stand on any line and is otherwise a comment. An empty up section is allowed (the runner warns about it: a fresh `mig create`
 * applies as a no-op); an empty down section counts as no down section, so a forgotten
 * rollback is an error when it is needed rather than a silent no-op.
 *
 * A repeatable file has no sections: its first SQL line moves it from header to up, and its
 * up section is the whole file (annotations are comments to the database). `up`, `down` and
 * `no-transaction` are refused there, each with the reason.
 */
export function parseMigrationFile(file: string, text: string, kind: MigrationFileKind = 'versioned'): MigrationScripts {
  const lines = normaliseText(text).split('\n')
  let section: Section = 'header'
  let transaction = true
  let lockTimeout: string | undefined
  let placeholders: 'everywhere' | undefined
  let upStart = -1
  let downStart = -1
  const top = kind === 'repeatable' ? 'the first statement' : '"-- mig:up"'

  const fail = (index: number, reason: string): never => {
    throw new InvalidMigrationError({ file, line: index + 1, reason })
  }

  lines.forEach((line, index) => {
    const match = ANNOTATION.exec(line)
    if (!match) {
      if (section === 'header' && line.trim() !== '' && !line.trim().startsWith('--')) {
        if (kind === 'repeatable') section = 'up'
        else fail(index, 'SQL before "-- mig:up". Put the statements under a "-- mig:up" line.')
      }
      return
    }
    const annotation = (match[1] ?? '').trim()
    const refusal = kind === 'repeatable' ? REPEATABLE_REFUSALS[annotation] : undefined
    if (refusal) fail(index, refusal)
    if (annotation.startsWith('lock-timeout')) {
      const written = LOCK_TIMEOUT.exec(annotation)?.[1]
      const duration = written !== undefined && isDuration(written) ? written : undefined
      if (section !== 'header') fail(index, `"-- mig:lock-timeout" applies to the whole file. Move it above ${top}.`)
      if (lockTimeout !== undefined) fail(index, '"-- mig:lock-timeout" appears a second time.')
      if (duration === undefined) fail(index, `"-- mig:${annotation}" needs a duration such as 30s, 500ms or 2min.`)
      lockTimeout = duration
      return
    }
    if (annotation.startsWith('placeholders')) {
      if (section !== 'header') fail(index, `"-- mig:placeholders" applies to the whole file. Move it above ${top}.`)
      if (placeholders) fail(index, '"-- mig:placeholders" appears a second time.')
      if (!/^placeholders\s+everywhere$/.test(annotation)) {
        fail(index, `"-- mig:${annotation}" is not known: the one form is "-- mig:placeholders everywhere".`)
      }
      placeholders = 'everywhere'
      return
    }
    switch (annotation) {
      case 'up':
        if (section !== 'header') fail(index, `"-- mig:up" appears a second time${section === 'down' ? ', after "-- mig:down"' : ''}.`)
        section = 'up'
        upStart = index + 1
        return
      case 'down':
        if (section === 'header') fail(index, '"-- mig:down" comes before "-- mig:up". The up section comes first.')
        if (section === 'down') fail(index, '"-- mig:down" appears a second time.')
        section = 'down'
        downStart = index + 1
        return
      case 'no-transaction':
        if (section !== 'header') fail(index, '"-- mig:no-transaction" applies to the whole file. Move it above "-- mig:up".')
        if (!transaction) fail(index, '"-- mig:no-transaction" appears a second time.')
        transaction = false
        return
      default:
        if (ALLOW_ANNOTATION.test(annotation)) return
        fail(index, `unknown annotation "-- mig:${annotation}". Known: ${KNOWN_ANNOTATIONS.map((known) => `-- mig:${known}`).join(', ')}.`)
    }
  })

  const options = { ...(lockTimeout && { lockTimeout }), ...(placeholders && { placeholders }) }
  if (kind === 'repeatable') return { up: sectionOf(lines, 0, lines.length), down: undefined, transaction, ...options }
  if (upStart < 0) throw new InvalidMigrationError({ file, reason: 'no "-- mig:up" section. Start the migration with a "-- mig:up" line.' })
  const up = sectionOf(lines, upStart, downStart < 0 ? lines.length : downStart - 1)
  const down = downStart < 0 ? undefined : sectionOf(lines, downStart, lines.length)
  return { up, down: down && holdsSql(down.sql) ? down : undefined, transaction, ...options }
}

/** Whether a section has anything but blank lines and line comments. */
export function holdsSql(section: string): boolean {
  return SQL_LINE.test(section)
}

/** A line whose first character that is not white space does not start `--`; one pass, no copies. */
const SQL_LINE = /(?:^|\n)[^\S\n]*(?!--)\S/

function sectionOf(lines: readonly string[], start: number, end: number): SqlStep {
  return { kind: 'sql', sql: lines.slice(start, end).join('\n'), line: start + 1 }
}
