import { readFile } from 'node:fs/promises'
import { Umzug } from 'umzug'
import { openSession } from '../sessions.mjs'

const TABLE = 'umzug_migrations'

/**
 * umzug brings no SQL storage of its own beyond Sequelize's, so this is the small custom storage
 * its documentation suggests: a table of names on the same connection. Each migration runs in
 * its own transaction; umzug records it after the migration returns.
 */
export async function createUmzug(target, directory) {
  const session = await openSession(target)
  await session.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (name TEXT PRIMARY KEY)`)
  const inTransaction = async (path) => {
    const sql = await readFile(path, 'utf8')
    await session.exec('BEGIN')
    await session.exec(sql)
    await session.exec('COMMIT')
  }
  const umzug = new Umzug({
    migrations: {
      glob: ['*.up.sql', { cwd: directory }],
      resolve: ({ name, path }) => ({
        name,
        up: () => inTransaction(path),
        down: () => inTransaction(path.replace(/\.up\.sql$/, '.down.sql')),
      }),
    },
    context: session,
    storage: {
      async executed() {
        return (await session.all(`SELECT name FROM ${TABLE} ORDER BY name`)).map((row) => row.name)
      },
      async logMigration({ name }) {
        await session.run(`INSERT INTO ${TABLE} (name) VALUES (?)`, [name])
      },
      async unlogMigration({ name }) {
        await session.run(`DELETE FROM ${TABLE} WHERE name = ?`, [name])
      },
    },
    logger: undefined,
  })
  return { umzug, close: () => session.close() }
}

export async function umzugUp(target, directory) {
  const { umzug, close } = await createUmzug(target, directory)
  try {
    await umzug.up()
  } finally {
    await close()
  }
}

export async function umzugDownAll(target, directory) {
  const { umzug, close } = await createUmzug(target, directory)
  try {
    await umzug.down({ to: 0 })
  } finally {
    await close()
  }
}
