import type { Driver } from '../driver.js'

/** What a dialect package gives the conformance suites: fresh, real databases, and the dialect's differences. */
export interface ConformanceTarget {
  /** Shown in the suites' titles: `sqlite file`, `postgres 15`. */
  readonly name: string
  /** A new, empty database for one test. The suites call `destroy()` after the test. */
  createDatabase(): Promise<ConformanceDatabase>
  /** How the dialect writes the n-th parameter of a statement (1-based): `?` or `$1`. */
  placeholder(index: number): string
}

export interface ConformanceDatabase {
  /**
   * A new driver on this database. Drivers from two calls must not share a connection, so two
   * migrators built from them can race each other for the lock.
   */
  driver(): Driver
  /** Names of the tables in the database, mig's own included, in any order. */
  tables(): Promise<string[]>
  /** Closes and removes the database. */
  destroy(): Promise<void>
}

/** One query on a session of its own, through the database's driver; the suites read state with it. */
export async function queryDatabase<Row = Record<string, unknown>>(
  database: ConformanceDatabase,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const session = await database.driver().connect()
  try {
    return await session.query<Row>(sql, params)
  } finally {
    await session.close()
  }
}
