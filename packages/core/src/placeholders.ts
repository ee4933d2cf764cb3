import { normaliseText } from './checksum.js'
import type { DialectText, SqlRange } from './driver.js'
import { InvalidMigrationError, InvalidOptionsError, UnsupportedFeatureError } from './errors.js'
import type { Migration, MigrationScripts, MigrationSource, MigrationStep, RepeatableMigration } from './migration.js'
import { parseMigrationFile } from './migration-file-parser.js'
import { isRepeatableFile } from './repeatable-migration.js'

/** Values for `${name}` in SQL migrations, by name. Trusted configuration: each value goes into the SQL as written. */
export type Placeholders = Readonly<Record<string, string>>

/** The one rule for a placeholder's name, and its environment variable's suffix. */
export const PLACEHOLDER_NAME_RULE = 'letters, digits and "_", starting with a letter or "_"'
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Whether `name` follows {@link PLACEHOLDER_NAME_RULE}. */
export function isPlaceholderName(name: string): boolean {
  return NAME.test(name)
}

/** A `${name}` in a migration that no configured placeholder defines; found before anything runs. */
export class UnknownPlaceholderError extends InvalidMigrationError {
  override readonly code = 'MIG_UNKNOWN_PLACEHOLDER'
  readonly placeholder: string

  constructor(options: { file: string; line: number; placeholder: string; known: readonly string[] }) {
    const known = options.known.length ? ` Defined: ${options.known.join(', ')}.` : ''
    super({
      file: options.file,
      line: options.line,
      reason:
        `unknown placeholder \${${options.placeholder}}. Define it in the config file ("placeholders": { "${options.placeholder}": "…" }), ` +
        `as the environment variable MIG_PLACEHOLDER_${options.placeholder}, or in the Migrator's placeholders option.${known}`,
    })
    this.placeholder = options.placeholder
  }

  override toJSON() {
    return { ...super.toJSON(), placeholder: this.placeholder }
  }
}

/** Placeholder names and values as given; refused whole when one is not usable. */
export function validatePlaceholders(placeholders: unknown): Placeholders {
  if (typeof placeholders !== 'object' || placeholders === null || Array.isArray(placeholders)) {
    throw new InvalidOptionsError('placeholders must be an object of names and string values: { "schema": "app" }.')
  }
  for (const [name, value] of Object.entries(placeholders)) {
    if (!isPlaceholderName(name)) throw new InvalidOptionsError(`The placeholder name "${name}" must be ${PLACEHOLDER_NAME_RULE}.`)
    if (typeof value !== 'string') throw new InvalidOptionsError(`The placeholder ${name} must have a string value, not ${typeof value}.`)
  }
  return placeholders as Placeholders
}

/**
 * The source with `${name}` replaced in every SQL step it loads. Checksums stay those of the
 * text as written, so a changed value never looks like an edited file. Loading fails with
 * {@link UnknownPlaceholderError} for a name without a value, which planning does before the
 * first statement runs.
 */
export function withPlaceholders(source: MigrationSource, placeholders: Placeholders, text: DialectText): MigrationSource {
  const substituted = <M extends Migration>(migration: M): M => {
    let loaded: Promise<MigrationScripts> | undefined
    return {
      ...migration,
      load: () => (loaded ??= migration.load().then((scripts) => substituteScripts(migration.file, scripts, placeholders, text))),
    }
  }
  const listRepeatables = source.listRepeatables?.bind(source)
  const sum = source.sum?.bind(source)
  return {
    list: async () => (await source.list()).map(substituted),
    ...(sum && { sum }),
    ...(listRepeatables && {
      listRepeatables: async () => (await listRepeatables()).map((repeatable) => substituted<RepeatableMigration>(repeatable)),
    }),
  }
}

/** A migration file's text as a run would read it, placeholders filled. */
export interface FilledFileText {
  /** The text with each `${name}` replaced by its value; the file as it is when nothing was replaced. */
  readonly text: string
  /**
   * Set when `text` is not the file as written: the file's text as written (a UTF-8 BOM
   * removed, CRLF as LF), and where an offset into `text` falls in it (inside a value: its
   * placeholder), so that what a tool reports at a place in `text` can name the file's line and column.
   */
  readonly written?: { readonly text: string; readonly offsetOf: (offset: number) => number }
}

/**
 * A whole migration file with its placeholders replaced, by the same rules as a run: for
 * tools that read files (lint). `file` is as the source names it (`repeatable/<name>.sql` for a
 * repeatable one). A file that does not parse is returned as it is; the run reports it.
 */
export function substituteFileText(
  file: string,
  text: string,
  placeholders: Placeholders,
  dialect: Pick<DialectText, 'literalRanges'>,
): FilledFileText {
  const normalised = normaliseText(text)
  let everywhere: boolean
  try {
    everywhere = parseMigrationFile(file, normalised, isRepeatableFile(file) ? 'repeatable' : 'versioned').placeholders === 'everywhere'
  } catch {
    return { text }
  }
  const filled = fill(file, normalised, 1, everywhere, placeholders, dialect)
  return filled.sql === normalised ? { text } : { text: filled.sql, written: { text: normalised, offsetOf: filled.offsetOf } }
}

function substituteScripts(file: string, scripts: MigrationScripts, placeholders: Placeholders, text: DialectText): MigrationScripts {
  const step = (step: MigrationStep | undefined): MigrationStep | undefined => {
    if (step?.kind !== 'sql') return step
    const filled = fill(file, step.sql, step.line, scripts.placeholders === 'everywhere', placeholders, text)
    return filled.sql === step.sql ? step : { ...step, sql: filled.sql, written: { sql: step.sql, offsetOf: filled.offsetOf } }
  }
  return { ...scripts, up: step(scripts.up) as MigrationStep, down: step(scripts.down) }
}

/** Where a value went in the filled text (`start`, `end`), and where its `${name}` was in the written one. */
interface Filled {
  readonly start: number
  readonly end: number
  readonly writtenStart: number
  readonly writtenEnd: number
}

/**
 * Replaces each `${name}` in SQL code (or, `everywhere`, in the whole text) with its value, as
 * written. Strings, dollar-quoted bodies and comments are told apart by the dialect's own lexer.
 * `offsetOf` turns an offset into the filled text, as a database reports it, into one into `sql`.
 */
function fill(
  file: string,
  sql: string,
  firstLine: number,
  everywhere: boolean,
  placeholders: Placeholders,
  text: Pick<DialectText, 'literalRanges'>,
): { sql: string; offsetOf: (offset: number) => number } {
  const filled: Filled[] = []
  const offsetOf = (offset: number) => {
    let shift = 0
    for (const value of filled) {
      if (offset < value.start) break
      // Inside a value: the placeholder that put it there.
      if (offset < value.end) return value.writtenStart
      shift = value.end - value.writtenEnd
    }
    return offset - shift
  }
  if (!sql.includes('${')) return { sql, offsetOf }
  let literals: readonly SqlRange[] = []
  if (!everywhere) {
    if (!text.literalRanges) {
      throw new UnsupportedFeatureError(
        `${file} holds "\${", and this driver cannot tell SQL code from strings: add "-- mig:placeholders everywhere" to the file's header to replace placeholders in the whole text.`,
      )
    }
    literals = text.literalRanges(sql)
  }
  const inLiteral = (offset: number) => literals.some((range) => offset >= range.start && offset < range.end)
  let shift = 0
  const result = sql.replace(PLACEHOLDER, (match, name: string, offset: number) => {
    if (inLiteral(offset)) return match
    const value = Object.hasOwn(placeholders, name) ? placeholders[name] : undefined
    if (value === undefined) {
      const line = firstLine + (sql.slice(0, offset).match(/\n/g)?.length ?? 0)
      throw new UnknownPlaceholderError({ file, line, placeholder: name, known: Object.keys(placeholders).sort() })
    }
    filled.push({ start: offset + shift, end: offset + shift + value.length, writtenStart: offset, writtenEnd: offset + match.length })
    shift += value.length - match.length
    return value
  })
  return { sql: result, offsetOf }
}
