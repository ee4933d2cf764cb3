import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { packageDirectory } from '../packages.mjs'

/** knex's configuration for the target; its migrator runs each batch in one transaction by default. */
export function knexConfig(target, directory) {
  const connection =
    target.dialect === 'sqlite'
      ? { client: 'better-sqlite3', connection: { filename: target.filename } }
      : { client: 'pg', connection: target.url }
  return { ...connection, useNullAsDefault: true, migrations: { directory, loadExtensions: ['.cjs'] } }
}

export async function knexUp(target, directory) {
  await withKnex(target, directory, (knex) => knex.migrate.latest())
}

export async function knexDownAll(target, directory) {
  await withKnex(target, directory, (knex) => knex.migrate.rollback(undefined, true))
}

async function withKnex(target, directory, work) {
  const { default: knex } = await import('knex')
  const instance = knex(knexConfig(target, directory))
  try {
    await work(instance)
  } finally {
    await instance.destroy()
  }
}

/** Writes the knexfile the knex CLI reads, and returns the CLI invocation for `command`. */
export async function knexCommand(command, target, directory, workDirectory) {
  const knexfile = join(workDirectory, `knexfile-${target.dialect}-${directory.split(/[\\/]/).pop()}.cjs`)
  await writeFile(knexfile, `module.exports = ${JSON.stringify(knexConfig(target, directory), null, 2)}\n`)
  const bin = join(packageDirectory('knex'), 'bin', 'cli.js')
  return [process.execPath, [bin, command, '--knexfile', knexfile]]
}
