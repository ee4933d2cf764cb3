import type { StatementRole } from '@mig/core'

/**
 * `SET` and `set_config(..., false)` (as pg_dump writes at the top of its output) change the
 * session only; everything else in a schema file builds objects.
 */
export function classifyPostgresStatement(statement: string): StatementRole {
  const text = statement.trim()
  if (/^SET\s+(?!LOCAL\b)/i.test(text) || /^SELECT\s+(?:pg_catalog\s*\.\s*)?set_config\s*\(/i.test(text)) {
    return {
      kind: 'connection-setting',
      advice: `"${text.replace(/\s+/g, ' ')}" changes one session only; set it on the connection (the connection string's options, or the role's defaults with ALTER ROLE … SET) instead of in a migration.`,
    }
  }
  return { kind: 'schema' }
}
