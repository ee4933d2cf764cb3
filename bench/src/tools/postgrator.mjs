import { join } from 'node:path'
import { packageDirectory } from '../packages.mjs'

/**
 * postgrator over a connection of ours. Its SQLite support expects the `sqlite3` package; here
 * `execQuery` wraps better-sqlite3 instead, running a multi-statement migration file with
 * `exec` and anything else as one prepared statement.
 */
async function createPostgrator(target, directory) {
  const { default: Postgrator } = await import('postgrator')
  const pattern = `${directory.replaceAll('\\', '/')}/*.sql`
  if (target.dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const database = new Database(target.filename)
    const execQuery = async (sql) => {
      let statement
      try {
        statement = database.prepare(sql)
      } catch (error) {
        if (!(error instanceof RangeError)) throw error
        database.exec(sql)
        return { rows: [] }
      }
      if (statement.reader) return { rows: statement.all() }
      statement.run()
      return { rows: [] }
    }
    const postgrator = new Postgrator({ migrationPattern: pattern, driver: 'sqlite3', execQuery })
    return { postgrator, close: async () => database.close() }
  }
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: target.url })
  await client.connect()
  const postgrator = new Postgrator({
    migrationPattern: pattern,
    driver: 'pg',
    database: new URL(target.url).pathname.slice(1),
    execQuery: (sql) => client.query(sql),
  })
  return { postgrator, close: () => client.end() }
}

export async function postgratorUp(target, directory) {
  const { postgrator, close } = await createPostgrator(target, directory)
  try {
    await postgrator.migrate()
  } finally {
    await close()
  }
}

export async function postgratorDownAll(target, directory) {
  const { postgrator, close } = await createPostgrator(target, directory)
  try {
    await postgrator.migrate('0')
  } finally {
    await close()
  }
}

/** postgrator-cli, PostgreSQL only: its SQLite client needs the `sqlite3` package, whose install downloads a binary. */
export function postgratorCommand(target, directory) {
  const url = new URL(target.url)
  const bin = join(packageDirectory('postgrator-cli'), 'index.js')
  return [
    process.execPath,
    [
      bin,
      '--no-config',
      ...['--driver', 'pg', '--host', url.hostname, '--port', url.port || '5432'],
      ...['--database', url.pathname.slice(1), '--username', decodeURIComponent(url.username) || 'postgres'],
      ...(url.password ? ['--password', decodeURIComponent(url.password)] : []),
      ...['--migration-pattern', `${directory.replaceAll('\\', '/')}/*.sql`],
    ],
  ]
}
