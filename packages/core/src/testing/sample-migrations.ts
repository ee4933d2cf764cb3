import type { MigrationDefinition } from '../from-list.js'

/** A migration that creates a table with one row, and drops it. */
export const createTable = (version: number, table: string): MigrationDefinition => ({
  version,
  name: `create_${table}`,
  up: `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, label TEXT NOT NULL);\nINSERT INTO ${table} (id, label) VALUES (1, 'first');`,
  down: `DROP TABLE ${table};`,
})
