import type { Node } from 'libpg-query'

/** One statement of a section, as PostgreSQL's own parser reads it. */
export interface PostgresStatement {
  readonly node: Node
  /** Character offset of the statement's first token in the section. */
  readonly offset: number
  readonly text: string
}

export type ParsedSection<Statement> =
  | { readonly statements: readonly Statement[]; readonly error?: undefined }
  | { readonly statements?: undefined; readonly error: { readonly message: string; readonly offset: number } }

interface PgQuery {
  loadModule(): Promise<void>
  parseSync(sql: string): { stmts?: { stmt?: Node; stmt_location?: number; stmt_len?: number }[] }
  parsePlPgSQLSync(sql: string): unknown
}

let loading: Promise<PgQuery> | undefined

/**
 * The WebAssembly build of PostgreSQL's parser, loaded on first use: importing @mig/lint, or
 * running `mig up` with lint off or nothing pending, never pays for it.
 */
function loadParser(): Promise<PgQuery> {
  loading ??= import('libpg-query').then(async (module) => {
    const parser = module as unknown as PgQuery
    await parser.loadModule()
    return parser
  })
  return loading
}

/** Parses one section; a syntax error anywhere fails the whole section, as PostgreSQL would. */
export async function parsePostgres(sql: string, byteToChar: (offset: number) => number): Promise<ParsedSection<PostgresStatement>> {
  // An up section with only comments (a fresh `mig create`) runs as a no-op; the parser refuses it.
  if (firstTokenAt(sql, 0) >= sql.length) return { statements: [] }
  const parser = await loadParser()
  let result: ReturnType<PgQuery['parseSync']>
  try {
    result = parser.parseSync(sql)
  } catch (error) {
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition
    return { error: { message: (error as Error).message, offset: cursor === undefined ? 0 : byteToChar(Math.max(cursor, 0)) } }
  }
  const statements: PostgresStatement[] = []
  for (const raw of result.stmts ?? []) {
    if (!raw.stmt) continue
    const from = byteToChar(raw.stmt_location ?? 0)
    const to = raw.stmt_len ? byteToChar((raw.stmt_location ?? 0) + raw.stmt_len) : sql.length
    // A statement's location starts just after the previous semicolon, before its comments.
    const offset = firstTokenAt(sql, from)
    statements.push({ node: raw.stmt, offset, text: sql.slice(offset, to) })
  }
  return { statements }
}

/**
 * The SQL statements a `DO` block (given as its whole statement) runs as written, in order: not
 * the strings it builds for EXECUTE, nor expressions. Empty when PL/pgSQL refuses the block.
 */
export async function plpgsqlStatementsOf(doStatement: string): Promise<string[]> {
  const parser = await loadParser()
  let tree: unknown
  try {
    tree = parser.parsePlPgSQLSync(doStatement)
  } catch {
    return []
  }
  const queries: string[] = []
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item)
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const query = key === 'PLpgSQL_stmt_execsql' ? (child as { sqlstmt?: { PLpgSQL_expr?: { query?: string } } }).sqlstmt : undefined
        if (query?.PLpgSQL_expr?.query) queries.push(query.PLpgSQL_expr.query)
        else walk(child)
      }
    }
  }
  walk(tree)
  return queries
}

/** The first character at or after `from` that is not white space or inside a comment. */
export function firstTokenAt(sql: string, from: number): number {
  let index = from
  while (index < sql.length) {
    const char = sql[index]
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') index++
    else if (char === '-' && sql[index + 1] === '-') {
      const end = sql.indexOf('\n', index)
      index = end < 0 ? sql.length : end + 1
    } else if (char === '/' && sql[index + 1] === '*') {
      index = endOfBlockComment(sql, index)
    } else break
  }
  return index
}

/** PostgreSQL's block comments nest. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0
  let index = start
  while (index < sql.length) {
    if (sql.startsWith('/*', index)) {
      depth++
      index += 2
    } else if (sql.startsWith('*/', index)) {
      depth--
      index += 2
      if (depth === 0) return index
    } else index++
  }
  return sql.length
}
