import type { DifferenceDetail, SchemaDifference } from './schema-diff.js'
import { firstDifferingLine } from './text-difference.js'

/** How {@link describeDifference} names the two sides. */
export interface DifferenceWording {
  /** After the object, for a `missing` one: "missing in the database". */
  readonly missing: string
  /** After the object, for an `extra` one: "extra in the database". */
  readonly extra: string
  /** Before the expected value of a `changed` one: "migrations say". */
  readonly expected: string
}

/**
 * One line per object, its differences joined: "projects: column api_key missing, column
 * openai_api_key extra".
 */
export function formatSchemaDifferences(differences: readonly SchemaDifference[]): string {
  const byObject = new Map<string, string[]>()
  for (const difference of differences) {
    byObject.set(difference.object, [...(byObject.get(difference.object) ?? []), difference.message])
  }
  return [...byObject].map(([object, messages]) => `${object}: ${messages.join(', ')}`).join('\n')
}

/**
 * One difference as a sentence that names its object fully and both sides as `wording` says:
 * "index tokens_expiry extra in the database", "column projects.api_key: type text, migrations
 * say character varying(255)".
 */
export function describeDifference(difference: SchemaDifference, wording: DifferenceWording): string {
  const { object, kind, name, change, attribute, expected, actual, summary } = difference
  const subject =
    kind === 'column'
      ? `column ${object}.${name}`
      : object === name || kind === 'index' || kind === 'trigger'
        ? `${kind} ${name}`
        : // A key known by its columns names its table first: "foreign key on tokens (project_id) → projects (id) …".
          name.startsWith('(')
          ? `${kind} on ${object} ${name}`
          : `${kind}${name ? ` ${name}` : ''} on ${object}`
  if (change !== 'changed') return `${subject} ${change === 'missing' ? wording.missing : wording.extra}`
  if (isText(attribute)) return `${subject}: ${attribute} differs${firstDifference(expected, actual, wording.expected)}`
  return `${subject}: ${summary ? `${summary}; ` : ''}${attribute === undefined ? '' : `${attribute} `}${actual}, ${wording.expected} ${expected}`
}

/** The message a difference carries, worded from the expected side: "column id is INTEGER, expected TEXT". */
export function differenceMessage(
  object: string,
  kind: string,
  name: string,
  change: SchemaDifference['change'],
  detail: DifferenceDetail,
): string {
  const subject = object === name ? kind : `${kind}${name ? ` ${name}` : ''}`
  if (change !== 'changed') return `${subject} ${change}`
  const { attribute, expected, actual, summary } = detail
  if (isText(attribute)) return `${subject} ${attribute} differs${firstDifference(expected, actual, 'expected')}`
  const lead = summary ? `${subject} ${summary};` : subject
  // "column id is INTEGER", "check on state is …": some attributes read as the object itself.
  if (attribute === undefined || attribute === 'type' || attribute === 'nullability' || attribute === 'expression')
    return `${lead} is ${actual}, expected ${expected}`
  return `${lead} ${attribute} ${attribute.endsWith('s') ? 'are' : 'is'} ${actual}, expected ${expected}`
}

/** Attributes that hold a definition's text, which a message quotes at its first differing line rather than in full. */
function isText(attribute: string | undefined): boolean {
  return attribute === 'definition' || attribute === 'body'
}

/** " at line 3: `…`, migrations say `…`": the first line where two texts differ, each side quoted. */
function firstDifference(expected = '', actual = '', expectedSide: string): string {
  const difference = firstDifferingLine(expected, actual)
  if (!difference) return ''
  const quote = (line: string | undefined) => (line === undefined ? '(no more lines)' : `\`${line}\``)
  const at = difference.multiline ? ` at line ${difference.line}` : ''
  return `${at}: ${quote(difference.actual)}, ${expectedSide} ${quote(difference.expected)}`
}
