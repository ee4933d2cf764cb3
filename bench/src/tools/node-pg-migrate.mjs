import { join } from 'node:path'
import { packageDirectory } from '../packages.mjs'

/** node-pg-migrate's programmatic runner; without `singleTransaction` it commits each migration on its own. */
export async function nodePgMigrateRun(target, directory, direction) {
  const { runner } = await import('node-pg-migrate')
  await runner({
    databaseUrl: target.url,
    dir: directory,
    direction,
    count: Number.POSITIVE_INFINITY,
    migrationsTable: 'pgmigrations',
    log: () => {},
  })
}

/** The node-pg-migrate CLI; it reads DATABASE_URL. */
export function nodePgMigrateCommand(command, target, directory) {
  const bin = join(packageDirectory('node-pg-migrate'), 'bin', 'node-pg-migrate.js')
  return [process.execPath, [bin, command, '--migrations-dir', directory], { DATABASE_URL: target.url }]
}
