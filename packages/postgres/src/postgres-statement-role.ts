import type { StatementRole } from '@mig/core'

/**
 * `SET` and `set_config(..., false)` (as pg_dump writes at the top of its output) change the
 * session only; psql commands (pg_dump's `\restrict` and `\unrestrict`) are not SQL, and
 * `OWNER TO` names a role of the environment that was dumped. Everything else in a schema file
 * builds objects.
 */
export function classifyPostgresStatement(statement: string): StatementRole {
  const text = statement.trim()
  if (text.startsWith('\\')) return { kind: 'left-out', reason: 'psql commands, not SQL: pg_dump writes them for psql' }
  if (/^ALTER\s+[\s\S]*\bOWNER\s+TO\s/i.test(text)) {
    return {
      kind: 'left-out',
      reason:
        'ownership names roles of the database that was dumped; objects belong to the role that runs the migration, as with pg_dump --no-owner',
    }
  }
  if (/^SET\s+(?:SESSION\s+)?check_function_bodies\s*(?:=|TO)\s*'?(?:false|off)'?\s*;?$/i.test(text)) {
    return {
      kind: 'schema',
      rewrite: {
        text: 'SET LOCAL check_function_bodies = false;',
        note: 'pg_dump creates functions before the tables their bodies read, so the migration needs it, until its transaction ends.',
      },
    }
  }
  if (/^SET\s+(?!LOCAL\b)/i.test(text) || /^SELECT\s+(?:pg_catalog\s*\.\s*)?set_config\s*\(/i.test(text)) {
    return {
      kind: 'connection-setting',
      advice:
        "They change one session only; set them on the connection (the connection string's options, or the role's defaults with ALTER ROLE … SET) instead of in a migration.",
    }
  }
  return { kind: 'schema' }
}
