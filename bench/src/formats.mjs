import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { workload } from './workload.mjs'

/**
 * Writes the workload in each tool's own file format. Each writer returns the files of one
 * migration as [file name, content] pairs.
 */
const WRITERS = {
  /** mig: one file, both directions. */
  mig: (migration) => [
    [`${migration.version}_${migration.name}.sql`, `-- mig:up\n${migration.up.join('\n')}\n\n-- mig:down\n${migration.down.join('\n')}\n`],
  ],
  /** The bare loop's and umzug's: plain SQL, one file per direction. */
  'up-down': (migration) => [
    [`${migration.version}_${migration.name}.up.sql`, `${migration.up.join('\n')}\n`],
    [`${migration.version}_${migration.name}.down.sql`, `${migration.down.join('\n')}\n`],
  ],
  dbmate: (migration) => [
    [
      `${migration.version}_${migration.name}.sql`,
      `-- migrate:up\n${migration.up.join('\n')}\n\n-- migrate:down\n${migration.down.join('\n')}\n`,
    ],
  ],
  'node-pg-migrate': (migration) => [
    [
      `${migration.version}_${migration.name}.sql`,
      `-- Up Migration\n${migration.up.join('\n')}\n\n-- Down Migration\n${migration.down.join('\n')}\n`,
    ],
  ],
  postgrator: (migration) => [
    [`${migration.version}.do.${migration.name}.sql`, `${migration.up.join('\n')}\n`],
    [`${migration.version}.undo.${migration.name}.sql`, `${migration.down.join('\n')}\n`],
  ],
  /** knex and Kysely run one statement per call on SQLite, so each statement gets its own call. */
  knex: (migration) => [
    [
      `${migration.version}_${migration.name}.cjs`,
      `exports.up = async (knex) => {\n${calls(migration.up, (sql) => `await knex.raw(${sql})`)}}\n\n` +
        `exports.down = async (knex) => {\n${calls(migration.down, (sql) => `await knex.raw(${sql})`)}}\n`,
    ],
  ],
  kysely: (migration, { kyselyUrl }) => [
    [
      `${migration.version}_${migration.name}.mjs`,
      `import { sql } from ${JSON.stringify(kyselyUrl)}\n\n` +
        `export async function up(db) {\n${calls(migration.up, (text) => `await sql.raw(${text}).execute(db)`)}}\n\n` +
        `export async function down(db) {\n${calls(migration.down, (text) => `await sql.raw(${text}).execute(db)`)}}\n`,
    ],
  ],
}

export const FORMATS = Object.keys(WRITERS)

function calls(statements, call) {
  return statements.map((statement) => `  ${call(JSON.stringify(statement))}\n`).join('')
}

/** Writes `count` migrations in `format` into `directory` (created). */
export async function writeMigrations(format, directory, count) {
  const writer = WRITERS[format]
  if (!writer) throw new Error(`Unknown migration format ${format}`)
  const context = { kyselyUrl: import.meta.resolve('kysely') }
  await mkdir(directory, { recursive: true })
  const files = []
  for (const migration of workload(count)) files.push(...writer(migration, context))
  // In batches, so 10,000 files do not open 10,000 handles at once.
  for (let start = 0; start < files.length; start += 200) {
    await Promise.all(files.slice(start, start + 200).map(([name, content]) => writeFile(join(directory, name), content)))
  }
}
