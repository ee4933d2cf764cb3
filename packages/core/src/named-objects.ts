/** The kinds of object a repeatable migration usually (re)creates, and a versioned one may drop. */
export type NamedObjectKind = 'view' | 'materialized view' | 'function' | 'procedure' | 'trigger' | 'type' | 'domain'

/** An object a statement names: its kind and its name without schema or quotes, lower-cased. */
export interface NamedObject {
  readonly kind: NamedObjectKind
  readonly name: string
}

const KIND = String.raw`(materialized\s+view|view|function|procedure|trigger|type|domain)`
/** One part of a name: quoted with double quotes, backticks or brackets, or bare. */
const PART = String.raw`(?:"(?:[^"]|"")*"|\x60[^\x60]*\x60|\[[^\]]*\]|[\w$]+)`
const QUALIFIED = String.raw`${PART}(?:\s*\.\s*${PART})*`
const DROP = new RegExp(String.raw`^drop\s+${KIND}\s+(?:if\s+exists\s+)?`, 'i')
const CREATE = new RegExp(
  String.raw`^create\s+(?:or\s+replace\s+)?(?:(?:temp|temporary|recursive|constraint)\s+)*${KIND}\s+(?:if\s+not\s+exists\s+)?(${QUALIFIED})`,
  'i',
)
const LEADING_NAME = new RegExp(`^\\s*(${QUALIFIED})`)
const LAST_PART = new RegExp(`(${PART})\\s*$`)

/**
 * What one statement (as the dialect's splitter returns it) drops by name:
 * `DROP VIEW [IF EXISTS] a, s."B"` drops views `a` and `b`. Objects a CASCADE takes with it are
 * not named, so not found.
 */
export function droppedObjects(statement: string): NamedObject[] {
  const match = DROP.exec(statement)
  if (!match) return []
  const kind = kindOf(match[1] as string)
  return topLevelItems(statement.slice(match[0].length)).flatMap((item) => {
    const name = LEADING_NAME.exec(item)?.[1]
    return name ? [{ kind, name: unqualified(name) }] : []
  })
}

/** What one statement creates by name: `CREATE OR REPLACE VIEW app.active_users AS …` creates view `active_users`. */
export function createdObjects(statement: string): NamedObject[] {
  const match = CREATE.exec(statement)
  return match ? [{ kind: kindOf(match[1] as string), name: unqualified(match[2] as string) }] : []
}

/** Whether two objects are the same, by kind and by unqualified, unquoted, case-folded name. */
export function sameObject(a: NamedObject, b: NamedObject): boolean {
  return a.kind === b.kind && a.name === b.name
}

function kindOf(keyword: string): NamedObjectKind {
  return keyword.toLowerCase().replace(/\s+/g, ' ') as NamedObjectKind
}

/** The last part of a qualified name, without its quotes, lower-cased. */
function unqualified(name: string): string {
  const part = (LAST_PART.exec(name)?.[1] ?? name).trim()
  const quoted = /^["`[]/.test(part)
  return (quoted ? part.slice(1, -1).replaceAll('""', '"') : part).toLowerCase()
}

/** The comma-separated items of a drop list, ignoring commas inside a function's argument list. */
function topLevelItems(list: string): string[] {
  const items: string[] = []
  let depth = 0
  let start = 0
  for (let index = 0; index < list.length; index++) {
    const character = list[index]
    if (character === '(') depth++
    else if (character === ')') depth--
    else if (character === ',' && depth === 0) {
      items.push(list.slice(start, index))
      start = index + 1
    }
  }
  items.push(list.slice(start))
  return items
}
