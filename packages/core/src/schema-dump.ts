import type { Driver } from './driver.js'
import { InvalidOptionsError, UnsupportedFeatureError } from './errors.js'
import { schemaPartOf } from './schema-access.js'
import { type SchemaSnapshot, sortSnapshot } from './schema-snapshot.js'

export interface DumpOptions {
  /** `database` (default): the live schema. `migrations`: the schema every migration builds, on a scratch database. */
  readonly from?: 'database' | 'migrations'
}

/**
 * The chosen schema as a SQL script, rendered by the driver (its schema part's `renderSchema`): the
 * same bytes for the same schema, loadable into an empty database.
 */
export async function dumpSchema(
  driver: Driver,
  options: DumpOptions,
  describe: (from: 'database' | 'migrations') => Promise<SchemaSnapshot>,
): Promise<string> {
  const from = options.from ?? 'database'
  if (from !== 'database' && from !== 'migrations') {
    throw new InvalidOptionsError(`dump's from must be "database" or "migrations", not ${JSON.stringify(options.from)}.`)
  }
  const { renderSchema } = schemaPartOf(driver, 'dump a schema')
  if (!renderSchema) throw new UnsupportedFeatureError(`The ${driver.dialect} driver cannot write a schema as SQL, so it cannot dump one.`)
  return renderSchema(sortSnapshot(await describe(from)))
}
