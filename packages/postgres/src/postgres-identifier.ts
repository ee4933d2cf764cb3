// Reserved and type-or-function-name keywords: as a table or column name these need quotes.
const KEYWORDS = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role current_schema current_time ' +
    'current_timestamp current_user default deferrable desc distinct do else end except false fetch for foreign freeze ' +
    'from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit ' +
    'localtime localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references ' +
    'returning right select session_user similar some symmetric table tablesample then to trailing true union unique user ' +
    'using variadic verbose when where window with'
  ).split(' '),
)

/** An identifier as PostgreSQL's `quote_ident` writes it: bare when it can be, quoted otherwise. */
export function quotePostgresIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !KEYWORDS.has(name) ? name : `"${name.replaceAll('"', '""')}"`
}

export function quotePostgresLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/**
 * A routine's signature as the schema snapshot names it, `name(argument types)`, with the name
 * quoted for a statement.
 */
export function quotePostgresRoutineSignature(signature: string): string {
  const routineArguments = postgresRoutineArguments(signature)
  return `${quotePostgresIdentifier(signature.slice(0, signature.length - routineArguments.length))}${routineArguments}`
}

/**
 * The argument list of a signature, `(integer, integer)`. The name before it may hold any
 * character, parentheses included; the list, as `pg_get_function_identity_arguments` writes it,
 * holds them only inside quoted names, so it starts at the `(` that the final `)` closes.
 */
export function postgresRoutineArguments(signature: string): string {
  let depth = 0
  let quoted = false
  for (let index = signature.length - 1; index >= 0; index--) {
    const char = signature[index]
    // A doubled quote inside a quoted name flips twice, and stays inside it.
    if (char === '"') quoted = !quoted
    else if (!quoted && char === ')') depth++
    else if (!quoted && char === '(' && --depth === 0) return signature.slice(index)
  }
  return ''
}
