/**
 * The shapes of the URL helpers a dialect package offers for a database as a whole (the CLI's
 * `mig wait` and `mig db create|drop`): `probeDatabase(url, options)`, `createDatabase(url,
 * options)` and `dropDatabase(url, options)`. They are not part of the driver: they act on the
 * database a URL names (PostgreSQL: from the server's maintenance database), which a driver
 * built on the application's own pool or client cannot reach. See docs/decisions/0011.
 *
 * @module
 */

/** What one attempt to reach the database a URL names found. Failures that waiting cannot cure are thrown instead. */
export type DatabaseProbe =
  | { readonly state: 'ready' }
  /** The server (or folder) is there, but the database is not: `createDatabase` makes it. */
  | { readonly state: 'missing-database'; readonly reason: string }
  /** Not reachable yet (refused, timed out, starting up, a folder not mounted yet): worth trying again. */
  | { readonly state: 'unreachable'; readonly reason: string }

export interface DatabaseLifecycleOptions {
  /** What a relative path (SQLite) resolves against. */
  readonly baseDirectory: string
  /** How long one connection attempt may take (PostgreSQL), in milliseconds. */
  readonly connectTimeoutMs?: number
}
