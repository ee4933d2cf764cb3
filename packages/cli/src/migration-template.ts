export type MigrationKind = 'sql' | 'ts' | 'js'

/** File extension per kind. JavaScript is `.mjs`, which is ESM whatever package.json says. */
export const EXTENSION_OF: Record<MigrationKind, string> = { sql: '.sql', ts: '.ts', js: '.mjs' }

/** What `mig create` writes into a new migration file. */
export function migrationTemplate(kind: MigrationKind): string {
  switch (kind) {
    case 'sql':
      return '-- mig:up\n\n-- mig:down\n'
    case 'ts':
      return `import type { MigrationContext } from '@mig/cli'

export async function up(context: MigrationContext): Promise<void> {
  // Write the change, e.g. await context.run(\`ALTER TABLE users ADD COLUMN plan TEXT\`), and remove the next line.
  throw new Error(UNWRITTEN_UP)
}

export async function down(context: MigrationContext): Promise<void> {
  // Undo it, e.g. await context.run(\`ALTER TABLE users DROP COLUMN plan\`), and remove the next line; or remove down if it cannot be undone.
  throw new Error(UNWRITTEN_DOWN)
}
${CONSTANTS}`
    case 'js':
      return `/** @param {import('@mig/cli').MigrationContext} context */
export async function up(context) {
  // Write the change, e.g. await context.run(\`ALTER TABLE users ADD COLUMN plan TEXT\`), and remove the next line.
  throw new Error(UNWRITTEN_UP)
}

/** @param {import('@mig/cli').MigrationContext} context */
export async function down(context) {
  // Undo it, e.g. await context.run(\`ALTER TABLE users DROP COLUMN plan\`), and remove the next line; or remove down if it cannot be undone.
  throw new Error(UNWRITTEN_DOWN)
}
${CONSTANTS}`
  }
}

/** A code migration cannot be seen to be empty, as a SQL one can: until written, it fails, so nothing is recorded as done. */
const CONSTANTS = `
const UNWRITTEN_UP = 'This migration is not written yet: write its up function, then run mig up again.'
const UNWRITTEN_DOWN = 'This migration has no down written yet: write its down function, or remove it if the migration cannot be undone.'
`
