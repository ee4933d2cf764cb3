/**
 * The benchmark workload: migration `index` (1-based) creates a table with three columns and an
 * index and inserts ten rows; its down drops the table. The SQL is the same on SQLite and
 * PostgreSQL, so every tool on either dialect runs the same statements.
 */

/** Zero-padded so that every tool orders the files by name the same way it orders them by number. */
export const VERSION_DIGITS = 5

export function versionOf(index) {
  return String(index).padStart(VERSION_DIGITS, '0')
}

/** @returns {{ version: string, name: string, up: string[], down: string[] }} */
export function migrationAt(index) {
  const table = `bench_${versionOf(index)}`
  const rows = Array.from({ length: 10 }, (_, row) => `(${row + 1}, 'row ${row + 1} of ${table}', '2026-11-23T12:00:00Z')`)
  return {
    version: versionOf(index),
    name: `create_${table}`,
    up: [
      `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, label TEXT NOT NULL, created_at TEXT NOT NULL);`,
      `CREATE INDEX ${table}_label ON ${table} (label);`,
      `INSERT INTO ${table} (id, label, created_at) VALUES\n  ${rows.join(',\n  ')};`,
    ],
    down: [`DROP TABLE ${table};`],
  }
}

export function* workload(count) {
  for (let index = 1; index <= count; index++) yield migrationAt(index)
}
