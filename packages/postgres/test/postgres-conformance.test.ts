import { runDriverConformanceSuite } from '@mig/core/testing'
import { postgresDriver } from '@mig/postgres'
import { createDatabase, sql } from './support/postgres-test-database.js'

for (const lock of ['auto', 'lease'] as const)
  runDriverConformanceSuite({
    name: `postgres, lock: ${lock}`,
    placeholder: (index) => `$${index}`,
    async createDatabase() {
      const database = await createDatabase()
      return {
        driver: () => postgresDriver({ connectionString: database.url, lock }),
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
