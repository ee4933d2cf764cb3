import type { Driver } from './driver.js'
import type { Migration, RepeatableMigration } from './migration.js'
import { Migrator } from './migrator.js'
import type { MigratorSettings } from './migrator-options.js'

/** A Migrator on a scratch database with the same history table, for building what migrations produce. */
export function scratchMigrator(
  settings: MigratorSettings,
  driver: Driver,
  migrations: readonly Migration[],
  repeatables: readonly RepeatableMigration[] = [],
): Migrator {
  return new Migrator({
    driver,
    source: { list: async () => [...migrations], listRepeatables: async () => [...repeatables] },
    table: settings.table.name,
    schema: settings.table.schema,
    allowOutOfOrder: true,
    appliedBy: settings.appliedBy,
  })
}
