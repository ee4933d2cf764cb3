import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Dialect } from './runner-process.js'
import type { SeededRandom } from './seeded-random.js'

export interface CrashWorkload {
  readonly folder: string
  readonly versions: readonly number[]
}

/**
 * Writes `count` transactional migrations that carry data: each creates a table, fills it with
 * a seeded number of generated rows, indexes it, records itself in a ledger table, and changes
 * an earlier table (a new column, updated or deleted rows, a view over it). Enough work per
 * migration that a kill usually lands inside its transaction.
 */
export async function writeCrashWorkload(folder: string, dialect: Dialect, random: SeededRandom, count: number): Promise<CrashWorkload> {
  await mkdir(folder, { recursive: true })
  const versions: number[] = []
  await writeFile(
    join(folder, '0001_ledger.sql'),
    '-- mig:up\nCREATE TABLE ledger (version INTEGER PRIMARY KEY, rows_added INTEGER NOT NULL, note TEXT NOT NULL);\n',
  )
  versions.push(1)
  for (let version = 2; version <= count; version++) {
    const table = `t_${String(version).padStart(3, '0')}`
    const rows = random.integer(1500, 3000)
    const factor = random.pick([7919, 104_729, 611_953])
    const statements = [
      `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b TEXT NOT NULL, c INTEGER)`,
      `INSERT INTO ${table} (id, a, b, c) ${generatedRows(dialect, rows, `(i * ${factor}) % 1000`, `'row ' || i || ' of ${table}'`)}`,
      `CREATE INDEX ${table}_a ON ${table} (a)`,
      `INSERT INTO ledger (version, rows_added, note) VALUES (${version}, ${rows}, 'added ${table}')`,
    ]
    const earlier = `t_${String(random.integer(2, version - 1 < 2 ? 2 : version - 1)).padStart(3, '0')}`
    if (version > 2) {
      switch (random.pick(['column', 'update', 'delete', 'view'] as const)) {
        case 'column':
          statements.push(`ALTER TABLE ${earlier} ADD COLUMN x_${version} INTEGER NOT NULL DEFAULT ${version}`)
          break
        case 'update':
          statements.push(`UPDATE ${earlier} SET c = ${version}, a = a + 1 WHERE id % ${random.integer(2, 5)} = 0`)
          break
        case 'delete':
          statements.push(`DELETE FROM ${earlier} WHERE id % ${random.integer(7, 13)} = ${version % 7}`)
          break
        case 'view':
          statements.push(`CREATE VIEW v_${version} AS SELECT a, count(*) AS n FROM ${earlier} GROUP BY a`)
          break
      }
    }
    const file = `${String(version).padStart(4, '0')}_step_${version}.sql`
    await writeFile(join(folder, file), `-- mig:up\n${statements.join(';\n')};\n`)
    versions.push(version)
  }
  return { folder, versions }
}

/** `SELECT` of `rows` generated rows (id, a, b, NULL) in the dialect's way. */
function generatedRows(dialect: Dialect, rows: number, a: string, b: string): string {
  if (dialect === 'postgres') return `SELECT i, ${a}, ${b}, NULL FROM generate_series(1, ${rows}) AS i`
  return `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows}) SELECT i, ${a}, ${b}, NULL FROM n`
}
