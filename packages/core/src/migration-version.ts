/**
 * A migration's version, exact at any length: a `number` while it is a safe integer (every
 * sequential and 14-digit timestamp version), a `bigint` beyond that (the 20-digit timestamps
 * of some other tools). Each value has one form, so `===`, `<` and Map keys compare exactly.
 */
export type MigrationVersion = number | bigint

/** The version written as digits (`0042`, `20210410175418000000`), in its one form. */
export function versionFromDigits(digits: string): MigrationVersion {
  // Up to 15 digits is always below 2^53: exact as a number, without a bigint on the way.
  if (digits.length <= 15) return Number(digits)
  const exact = BigInt(digits)
  return exact <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(exact) : exact
}

/**
 * A version given in options or read from history, in its one form; undefined when it is not a
 * whole number of 0 or more (a `number` beyond 2^53 is refused: it may already have been rounded).
 */
export function toVersion(value: unknown): MigrationVersion | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined
  if (typeof value === 'bigint') return value >= 0n ? versionFromDigits(value.toString()) : undefined
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return versionFromDigits(value.trim())
  return undefined
}

export function compareVersions(a: MigrationVersion, b: MigrationVersion): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function newestVersion(versions: Iterable<MigrationVersion>): MigrationVersion {
  let newest: MigrationVersion = 0
  for (const version of versions) if (version > newest) newest = version
  return newest
}

/** How a version appears in JSON: a number while exact, else its digits as a string. */
export function versionJson(version: MigrationVersion): number | string {
  return typeof version === 'bigint' ? version.toString() : version
}
