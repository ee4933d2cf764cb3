/**
 * The start-up floor for a Node migration tool: open the database, read the tracking table,
 * list the migration folder, and say what is pending. Run as a whole process:
 *   node bare-status.mjs sqlite <file> <folder>
 *   node bare-status.mjs postgres <url> <folder>
 * It reads mig's own history table, so it runs against the same database as `mig status`.
 */
import { readdir } from 'node:fs/promises'
import { openSession } from '../sessions.mjs'

const [dialect, location, directory] = process.argv.slice(2)
const target = dialect === 'sqlite' ? { dialect, filename: location } : { dialect, url: location }
const session = await openSession(target)
try {
  const [files, rows] = await Promise.all([readdir(directory), session.all('SELECT version FROM mig_migrations ORDER BY version')])
  const applied = new Set(rows.map((row) => Number(row.version)))
  const pending = files.filter((file) => file.endsWith('.sql') && !applied.has(Number.parseInt(file, 10)))
  console.log(`${applied.size} applied, ${pending.length} pending`)
} finally {
  await session.close()
}
