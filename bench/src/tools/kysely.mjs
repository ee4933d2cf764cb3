import { promises as fs } from 'node:fs'
import path from 'node:path'

/** Kysely's Migrator over its file provider; it runs each batch in one transaction by default. */
export async function createKyselyMigrator(target, directory) {
  const { FileMigrationProvider, Kysely, Migrator, PostgresDialect, SqliteDialect } = await import('kysely')
  let dialect
  if (target.dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    dialect = new SqliteDialect({ database: new Database(target.filename) })
  } else {
    const { default: pg } = await import('pg')
    dialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: target.url }) })
  }
  const db = new Kysely({ dialect })
  const migrator = new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder: directory }) })
  return { migrator, close: () => db.destroy() }
}

export async function kyselyUp(target, directory) {
  const { migrator, close } = await createKyselyMigrator(target, directory)
  try {
    const { error } = await migrator.migrateToLatest()
    if (error) throw error
  } finally {
    await close()
  }
}

export async function kyselyDownAll(target, directory) {
  const { NO_MIGRATIONS } = await import('kysely')
  const { migrator, close } = await createKyselyMigrator(target, directory)
  try {
    const { error } = await migrator.migrateTo(NO_MIGRATIONS)
    if (error) throw error
  } finally {
    await close()
  }
}
