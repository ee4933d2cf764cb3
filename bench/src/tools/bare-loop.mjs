import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { openSession } from '../sessions.mjs'

/**
 * The floor: what any tool must do at least. Lists the folder, reads which versions are
 * recorded, then for each pending migration runs BEGIN, its SQL, a parameterised INSERT of the
 * tracking row, and COMMIT (or one BEGIN/COMMIT around the lot, for `transactions: 'single'`).
 */
const TABLE = 'bare_migrations'

export async function bareUp(target, directory, { transactions }) {
  const files = (await readdir(directory)).filter((file) => file.endsWith('.up.sql')).sort()
  const session = await openSession(target)
  try {
    await session.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
    const applied = new Set((await session.all(`SELECT version FROM ${TABLE}`)).map((row) => Number(row.version)))
    const pending = files.filter((file) => !applied.has(Number.parseInt(file, 10)))
    if (transactions === 'single') await session.exec('BEGIN')
    for (const file of pending) {
      const sql = await readFile(join(directory, file), 'utf8')
      if (transactions !== 'single') await session.exec('BEGIN')
      await session.exec(sql)
      await session.run(`INSERT INTO ${TABLE} (version, name, applied_at) VALUES (?, ?, ?)`, [
        Number.parseInt(file, 10),
        file.slice(0, -'.up.sql'.length),
        new Date().toISOString(),
      ])
      if (transactions !== 'single') await session.exec('COMMIT')
    }
    if (transactions === 'single') await session.exec('COMMIT')
  } finally {
    await session.close()
  }
}

export async function bareDownAll(target, directory) {
  const session = await openSession(target)
  try {
    const applied = await session.all(`SELECT version, name FROM ${TABLE} ORDER BY version DESC`)
    for (const { version, name } of applied) {
      const sql = await readFile(join(directory, `${name}.down.sql`), 'utf8')
      await session.exec('BEGIN')
      await session.exec(sql)
      await session.run(`DELETE FROM ${TABLE} WHERE version = ?`, [Number(version)])
      await session.exec('COMMIT')
    }
  } finally {
    await session.close()
  }
}
