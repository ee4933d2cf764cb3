import { cpus, loadavg, totalmem } from 'node:os'
import { packageVersion } from './packages.mjs'

const PACKAGES = [
  '@mig/core',
  'node-pg-migrate',
  'postgrator',
  'postgrator-cli',
  'knex',
  'umzug',
  'kysely',
  'dbmate',
  'better-sqlite3',
  'pg',
]

/** What the figures were measured on and with. */
export async function describeMachine({ postgresVersion, sqliteVersion }) {
  const processors = cpus()
  return [
    `- Machine: ${processors.length} × ${processors[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory, ${process.platform} ${process.arch}`,
    `- Node.js ${process.version}; SQLite ${sqliteVersion} (better-sqlite3, default journal and synchronous settings); ${postgresVersion ?? 'PostgreSQL not measured'}`,
    `- Versions: ${PACKAGES.map((name) => `${name} ${packageVersion(name)}`).join(', ')}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}; load average at the start ${formatLoad()} (other work on the machine makes figures noisier)`,
  ].join('\n')
}

/** The 1-minute and 5-minute load averages: above the core count, the figures below carry other processes' noise. */
export function formatLoad() {
  const [oneMinute, fiveMinutes] = loadavg()
  return `${oneMinute.toFixed(2)} / ${fiveMinutes.toFixed(2)} (1 / 5 min)`
}

export async function sqliteVersion() {
  const { default: Database } = await import('better-sqlite3')
  const database = new Database(':memory:')
  try {
    return database.prepare('SELECT sqlite_version() AS version').get().version
  } finally {
    database.close()
  }
}
