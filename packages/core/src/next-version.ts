const SEQUENTIAL_WIDTH = 4
const TIMESTAMP_DIGITS = 14

/**
 * How new versions are numbered: `sequential` (`0007`, one more than the newest, padded like
 * it) or `timestamp` (`20261130121500`, the UTC time when the file is written).
 */
export type VersionStyle = 'sequential' | 'timestamp'

export const VERSION_STYLES: readonly VersionStyle[] = ['sequential', 'timestamp']

export interface ExistingVersion {
  /** Exact at any length: versions of 20 digits are compared as big integers. */
  readonly version: bigint
  /** The digits as written in the file name, to keep the folder's padding. */
  readonly digits: string
}

/** The `<digits>` of a `<digits>_name` file name, as written; undefined for any other name. */
export function versionDigitsOf(file: string): string | undefined {
  return /^(\d+)_/.exec(file)?.[1]
}

/** The UTC time as `YYYYMMDDHHMMSS`. */
export function timestampOf(now: Date): string {
  return now.toISOString().slice(0, 19).replace(/\D/g, '')
}

/** The highest `<digits>_` prefix among file names, or undefined for an empty folder. */
export function highestVersion(files: readonly string[]): ExistingVersion | undefined {
  let highest: ExistingVersion | undefined
  for (const file of files) {
    const digits = versionDigitsOf(file)
    if (digits === undefined) continue
    const version = BigInt(digits)
    if (!highest || version > highest.version) highest = { version, digits }
  }
  return highest
}

/** The style of a folder whose newest version is `highest`: timestamps from 14 digits on. */
export function styleOf(highest: ExistingVersion | undefined): VersionStyle {
  return highest && highest.digits.length >= TIMESTAMP_DIGITS ? 'timestamp' : 'sequential'
}

/** One more than the highest version, padded like it (at least four digits: `0001`). */
export function nextSequentialVersion(highest: ExistingVersion | undefined): string {
  if (!highest) return '1'.padStart(SEQUENTIAL_WIDTH, '0')
  const width = highest.digits.length >= TIMESTAMP_DIGITS ? 0 : Math.max(SEQUENTIAL_WIDTH, highest.digits.length)
  return String(highest.version + 1n).padStart(width, '0')
}

/** The UTC time as `YYYYMMDDHHMMSS`, moved past the highest version if that is not later. */
export function timestampVersion(now: Date, highest: ExistingVersion | undefined): string {
  const stamp = timestampOf(now)
  return highest && BigInt(stamp) <= highest.version ? String(highest.version + 1n) : stamp
}

/** The versions (as digits) for new files after `highest`, each after the one before: for `mig create` and `renumber`. */
export function* versionsAfter(highest: ExistingVersion | undefined, style: VersionStyle, now = new Date()): Generator<string> {
  let previous = highest
  for (;;) {
    const digits = style === 'timestamp' ? timestampVersion(now, previous) : nextSequentialVersion(previous)
    yield digits
    previous = { version: BigInt(digits), digits }
  }
}
