import type { Driver } from './driver.js'
import type { Migration } from './migration.js'
import { Migrator } from './migrator.js'
import type { MigratorSettings } from './migrator-options.js'

/** A Migrator on a scratch database with the same history table, for building what migrations produce. */
export function scratchMigrator(settings: MigratorSettings, driver: Driver, migrations: readonly Migration[]): Migrator {
  return new Migrator({
    driver,
    source: { list: async () => [...migrations] },
    table: settings.table.name,
    schema: settings.table.schema,
    allowOutOfOrder: true,
    appliedBy: settings.appliedBy,
  })
}
