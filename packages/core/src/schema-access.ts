import type { Driver, DriverSession, HistoryTableName, SchemaPart } from './driver.js'
import { UnsupportedFeatureError } from './errors.js'
import { withSession } from './locked-session.js'
import type { MigratorSettings } from './migrator-options.js'
import { type SchemaSnapshot, sortSnapshot } from './schema-snapshot.js'

/** The driver's schema part, or an error that says the operation needs one. */
export function schemaPartOf(driver: Driver, operation: string): SchemaPart {
  if (!driver.schema) throw new UnsupportedFeatureError(`The ${driver.dialect} driver cannot describe schemas, so it cannot ${operation}.`)
  return driver.schema
}

/** The live schema, sorted, without mig's own tables. */
export async function describeSchema(driver: Driver, session: DriverSession, table: HistoryTableName): Promise<SchemaSnapshot> {
  return sortSnapshot(await schemaPartOf(driver, 'describe the schema').describe(session, table))
}

/** Runs `work` on a new, empty database of the driver's dialect, and removes it afterwards. */
export async function onScratchDatabase<T>(driver: Driver, operation: string, work: (scratch: Driver) => Promise<T>): Promise<T> {
  const create = schemaPartOf(driver, operation).createScratchDatabase
  if (!create)
    throw new UnsupportedFeatureError(`The ${driver.dialect} driver cannot create a scratch database, so it cannot ${operation}.`)
  const scratch = await create()
  try {
    return await work(scratch.driver)
  } finally {
    await scratch.destroy()
  }
}

/** The live schema, on a session of its own. */
export async function describeLiveSchema(settings: MigratorSettings): Promise<SchemaSnapshot> {
  return withSession(settings, (session) => describeSchema(settings.driver, session, settings.table))
}
