import { SectionPositions } from './file-position.js'
import { nodeOf } from './postgres-ast.js'
import { type PostgresStatement, parsePostgres, plpgsqlStatementsOf } from './postgres-parser.js'

/** A statement that a DO block runs, placed in the section, with its own byte-to-character mapping. */
export interface InnerStatement {
  readonly statement: PostgresStatement
  /** The section offset of a UTF-8 byte offset in the statement's own text, where its nodes' locations point. */
  readonly fromBytes: (offset: number) => number
}

/**
 * The statements a PL/pgSQL `DO` block runs as written, each at its place in the section, so
 * that rules see `DO $$ BEGIN CREATE INDEX … END $$` as they see a CREATE INDEX. A statement
 * that cannot be placed (PL/pgSQL rewrote its text, as for `SELECT … INTO`) or parsed is left out.
 */
export async function statementsOfDoBlock(statement: PostgresStatement): Promise<InnerStatement[]> {
  const block = nodeOf(statement.node, 'DoStmt')
  if (!block) return []
  const language = (block.args ?? []).map((arg) => nodeOf(arg, 'DefElem')).find((option) => option?.defname === 'language')
  if (language && nodeOf(language.arg, 'String')?.sval?.toLowerCase() !== 'plpgsql') return []
  const inner: InnerStatement[] = []
  let cursor = 0
  for (const query of await plpgsqlStatementsOf(statement.text)) {
    const at = statement.text.indexOf(query, cursor)
    if (at < 0) continue
    cursor = at + query.length
    const positions = new SectionPositions(query, 1)
    const parsed = await parsePostgres(query, (offset) => positions.fromBytes(offset))
    for (const found of parsed.statements ?? []) {
      const start = statement.offset + at
      inner.push({
        statement: { node: found.node, offset: start + found.offset, text: found.text },
        fromBytes: (offset) => start + positions.fromBytes(offset),
      })
    }
  }
  return inner
}
