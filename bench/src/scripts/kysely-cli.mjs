/**
 * Kysely ships no CLI, so this is the migrate script its documentation has users write.
 *   node kysely-cli.mjs <sqlite|postgres> <file|url> <folder> up|status
 */
import { createKyselyMigrator } from '../tools/kysely.mjs'

const [dialect, location, directory, command] = process.argv.slice(2)
const target = dialect === 'sqlite' ? { dialect, filename: location } : { dialect, url: location }
const { migrator, close } = await createKyselyMigrator(target, directory)
try {
  if (command === 'up') {
    const { error, results } = await migrator.migrateToLatest()
    if (error) throw error
    console.log(`${results?.length ?? 0} applied`)
  } else {
    for (const migration of await migrator.getMigrations()) {
      console.log(`${migration.executedAt ? migration.executedAt.toISOString() : 'pending'}  ${migration.name}`)
    }
  }
} finally {
  await close()
}
