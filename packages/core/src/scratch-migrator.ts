import type { Driver } from './driver.js'
import { InvalidMigrationError } from './errors.js'
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

/**
 * `up` stops without an error before a migration whose up section holds no SQL yet. On a scratch
 * database that builds a schema, it must not: the schema would silently lack what comes after.
 * `wanted` are the migrations the up was to apply, in order; `applied` how many it did.
 */
export function checkBuilt(wanted: readonly Migration[], applied: number): void {
  const unbuilt = wanted[applied]
  if (unbuilt) {
    throw new InvalidMigrationError({
      file: unbuilt.file,
      reason:
        'its up section holds no SQL yet, so the schema that the migrations build from it on is not known. Write the migration first.',
    })
  }
}
