import type { ClientOnlyStatement, StatementRole } from '@mig/core'

// The splitter returns a psql command (a line that starts with a backslash) as a statement of its own.
const PSQL_COMMAND = /^\\\S*/
// A query (`COPY (SELECT …)`) can only be copied TO.
const COPY_FROM_STDIN = /^COPY\s+(?!\()[\s\S]*?\bFROM\s+STDIN\b/i
const COPY_TO_STDOUT = /^COPY\b[\s\S]*\bTO\s+STDOUT\b/i

/**
 * `SET` and `set_config(..., false)` (as pg_dump writes at the top of its output) change the
 * session only; psql commands (pg_dump's `\restrict` and `\unrestrict`) are not SQL, and
 * `OWNER TO` names a role of the environment that was dumped. Everything else in a schema file
 * builds objects.
 */
export function classifyPostgresStatement(statement: string): StatementRole {
  const text = statement.trim()
  if (PSQL_COMMAND.test(text)) return { kind: 'left-out', reason: 'psql commands, not SQL: pg_dump writes them for psql' }
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

/**
 * What only psql can run: its backslash commands, and `COPY … FROM STDIN` and `COPY … TO STDOUT`,
 * whose rows psql reads from the script (as pg_dump writes them) or prints.
 */
export function postgresClientOnly(statement: string): ClientOnlyStatement | undefined {
  const text = statement.trim()
  const command = PSQL_COMMAND.exec(text)?.[0]
  if (command) {
    return {
      command,
      fix:
        "psql runs its backslash commands itself, and the database server does not know them. Remove it: a migration runs on the database of mig's URL (instead of \\connect), " +
        `fills \${name} placeholders from mig's configuration (instead of \\set variables) and holds its own SQL (instead of \\i); or run the script with psql outside migrations.`,
    }
  }
  if (COPY_FROM_STDIN.test(text)) {
    return {
      command: 'COPY … FROM STDIN',
      fix:
        'psql sends the rows written below it to the server, and mig sends only SQL. Write the rows as INSERT statements (pg_dump --inserts or --column-inserts writes them), ' +
        'dump the schema alone (pg_dump --schema-only), or load the data outside migrations (psql, pg_restore).',
    }
  }
  if (COPY_TO_STDOUT.test(text)) {
    return {
      command: 'COPY … TO STDOUT',
      fix: 'its rows go to the client, which psql prints and mig has nowhere to put. Remove it, or run it with psql outside migrations.',
    }
  }
  return undefined
}
