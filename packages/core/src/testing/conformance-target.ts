import type { Driver } from '../driver.js'

/** What a dialect package gives the conformance suite: a way to make fresh, real databases. */
export interface ConformanceTarget {
  /** Shown in the suite's title: `sqlite file`, `postgres 15`. */
  readonly name: string
  /** A new, empty database for one test. The suite calls `destroy()` after the test. */
  createDatabase(): Promise<ConformanceDatabase>
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
