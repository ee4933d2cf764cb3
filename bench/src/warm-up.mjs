const MODULES = {
  bare: [],
  'bare-single': [],
  mig: ['@mig/core'],
  'mig-single': ['@mig/core'],
  'node-pg-migrate': ['node-pg-migrate'],
  postgrator: ['postgrator'],
  knex: ['knex'],
  umzug: ['umzug'],
  kysely: ['kysely'],
}

const DIALECT_MODULES = {
  sqlite: { mig: ['@mig/sqlite'], 'mig-single': ['@mig/sqlite'], default: ['better-sqlite3'] },
  postgres: { mig: ['@mig/postgres'], 'mig-single': ['@mig/postgres'], default: ['pg'] },
}

/** Imports what a contender's API operation will import, so that the timed part excludes module loading. */
export async function warmUp(id, target) {
  const dialect = DIALECT_MODULES[target.dialect]
  const specifiers = [...(MODULES[id] ?? []), ...dialect.default, ...(dialect[id] ?? [])]
  for (const specifier of specifiers) await import(specifier)
}
