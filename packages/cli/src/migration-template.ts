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
  await context.run(\`
    -- SQL that applies the change
  \`)
}

export async function down(context: MigrationContext): Promise<void> {
  await context.run(\`
    -- SQL that undoes it
  \`)
}
`
    case 'js':
      return `/** @param {import('@mig/cli').MigrationContext} context */
export async function up(context) {
  await context.run(\`
    -- SQL that applies the change
  \`)
}

/** @param {import('@mig/cli').MigrationContext} context */
export async function down(context) {
  await context.run(\`
    -- SQL that undoes it
  \`)
}
`
  }
}
