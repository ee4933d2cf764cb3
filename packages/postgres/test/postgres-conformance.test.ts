import { runDriverConformanceSuite } from '@mig/core/testing'
import { postgresDriver } from '@mig/postgres'
import { createDatabase, sql } from './support/postgres-test-database.js'

runDriverConformanceSuite({
  name: 'postgres',
  placeholder: (index) => `$${index}`,
  async createDatabase() {
    const database = await createDatabase()
    return {
      driver: () => postgresDriver({ connectionString: database.url }),
      tables: async () =>
        (
          await sql<{ name: string }>(
            database.url,
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
          )
        ).map((row) => row.name),
      destroy: () => database.drop(),
    }
  },
})
