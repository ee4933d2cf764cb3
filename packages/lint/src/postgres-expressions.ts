import type { Node } from 'libpg-query'
import { namesOf, nodeOf } from './postgres-ast.js'
import type { SchemaState } from './schema-state.js'

/**
 * Built-in functions whose value differs per row: a column added with one as its default makes
 * PostgreSQL compute it for every existing row, rewriting the table. `now()` and
 * `current_timestamp` are STABLE: PostgreSQL 11+ evaluates them once and rewrites nothing.
 */
const VOLATILE_FUNCTIONS = new Set([
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setval',
  'txid_current',
])

/**
 * The first volatile function call in a default expression, if any. Functions that migrations
 * created count as volatile unless declared IMMUTABLE or STABLE (PostgreSQL's own default);
 * other functions are taken at their word, since lint cannot see their definition.
 */
export function volatileCallIn(expression: Node | undefined, state: SchemaState): string | undefined {
  if (!expression) return undefined
  const call = nodeOf(expression, 'FuncCall')
  if (call) {
    const names = namesOf(call.funcname)
    const name = names[names.length - 1] ?? ''
    const declared = state.functionVolatility(name)
    if (declared ? declared === 'volatile' : VOLATILE_FUNCTIONS.has(name)) return `${name}()`
  }
  for (const child of childrenOf(expression)) {
    const found = volatileCallIn(child, state)
    if (found) return found
  }
  return undefined
}

/** The expression nodes directly inside a node, whatever its kind. */
function childrenOf(node: Node): Node[] {
  const inner = Object.values(node)[0] as Record<string, unknown> | undefined
  if (!inner || typeof inner !== 'object') return []
  const children: Node[] = []
  for (const value of Object.values(inner)) {
    if (Array.isArray(value)) children.push(...(value.filter(isNode) as Node[]))
    else if (isNode(value)) children.push(value as Node)
  }
  return children
}

function isNode(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false
  const keys = Object.keys(value)
  return keys.length === 1 && /^[A-Z]/.test(keys[0] as string)
}

const BOUNDARY = /^(?:not\s+null|null|constraint|check|references|unique|primary\s+key|generated|collate|using|default)\b/i

/**
 * The source text of an expression or type starting at `start`: up to a comma, semicolon or
 * closing parenthesis at its own depth, or a keyword that begins the next clause.
 */
export function clauseTextAt(sql: string, start: number): string {
  let depth = 0
  let index = start
  while (index < sql.length) {
    const char = sql[index] as string
    if (char === "'" || char === '"') {
      const end = sql.indexOf(char, index + 1)
      index = end < 0 ? sql.length : end + 1
      continue
    }
    if (char === '(' || char === '[') depth++
    else if (char === ')' || char === ']') {
      if (depth === 0) break
      depth--
    } else if (depth === 0 && (char === ',' || char === ';')) break
    else if (depth === 0 && index > start && /\s/.test(sql[index - 1] as string) && BOUNDARY.test(sql.slice(index, index + 12))) break
    index++
  }
  return sql.slice(start, index).trim()
}
