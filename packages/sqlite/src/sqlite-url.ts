import { existsSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { type Driver, InvalidOptionsError, redactUrl } from '@mig/core'
import { type SqliteMissingFile, sqliteDriver } from './sqlite-driver.js'
import type { SqliteSession } from './sqlite-session.js'

type Access = 'read-only' | 'read-write' | 'existing'

const MISSING_FILE: Record<Access, SqliteMissingFile> = { 'read-only': 'read-as-empty', 'read-write': 'create', existing: 'refuse' }

/**
 * A driver for a URL of the mig CLI: `sqlite:./app.db`, `sqlite:///absolute/app.db`,
 * `sqlite::memory:` (also `sqlite3:`). A relative path resolves against `baseDirectory`. A
 * `read-only` command (status, validate, a dry run) never creates the file, nor does one that
 * needs an `existing` database (baseline, down, dump, drift), which refuses a missing file.
 * `?busy_timeout=<ms>` sets the driver's `busyTimeoutMs`.
 */
export function driverFromUrl(url: string, options: { baseDirectory: string; access?: Access }): Driver<SqliteSession> {
  const missingFile = MISSING_FILE[options.access ?? 'read-write']
  return sqliteDriver({ filename: sqliteFilename(url, options.baseDirectory), missingFile, busyTimeoutMs: busyTimeoutOf(url) })
}

function busyTimeoutOf(url: string): number | undefined {
  const query = /\?([^#]*)/.exec(url.trim())?.[1]
  const parameters = new URLSearchParams(query ?? '')
  // Anything else would be ignored: `?mode=ro` would not keep mig from writing.
  const unknown = [...parameters.keys()].filter((name) => name !== 'busy_timeout')
  if (unknown.length > 0) {
    throw new InvalidOptionsError(
      `The URL ${redactUrl(url)} has a parameter mig does not read: ${unknown.join(', ')}. A SQLite URL takes only ?busy_timeout=<ms>; ` +
        'a setting kept in the database file, such as PRAGMA journal_mode = WAL, goes in a -- mig:no-transaction migration.',
    )
  }
  const given = parameters.get('busy_timeout')
  if (given === null) return undefined
  if (!/^\d+$/.test(given)) {
    throw new InvalidOptionsError(`busy_timeout in the URL ${redactUrl(url)} must be a whole number of milliseconds, not "${given}".`)
  }
  return Number(given)
}

/** What a read-only command should say about the database a URL names: that its file does not exist. */
export function describeDatabase(url: string, options: { baseDirectory: string; access?: Access }): string | undefined {
  const filename = sqliteFilename(url, options.baseDirectory)
  if (options.access !== 'read-only' || filename === ':memory:' || existsSync(filename)) return undefined
  const folder = dirname(filename)
  const creation = existsSync(folder) ? 'mig up creates it' : `mig up creates it once its folder ${folder} exists`
  return `The SQLite database ${filename} does not exist, so this shows an empty database and creates no file. Check the path in the URL if it should exist; ${creation}.`
}

export function sqliteFilename(url: string, baseDirectory: string): string {
  const trimmed = url.trim()
  const scheme = /^(sqlite3?):/i.exec(trimmed)?.[1]
  if (!scheme)
    throw new InvalidOptionsError(`The URL ${redactUrl(url)} is not a SQLite URL. Write it as sqlite:./app.db or sqlite::memory:.`)
  let path = trimmed.slice(scheme.length + 1)
  if (path.startsWith('//')) path = path.slice(2)
  path = path.split(/[?#]/)[0] ?? ''
  if (path === ':memory:') return path
  if (!path) throw new InvalidOptionsError(`The URL ${redactUrl(url)} names no file. Write it as sqlite:./app.db or sqlite::memory:.`)
  const decoded = safelyDecoded(path)
  return isAbsolute(decoded) ? decoded : resolve(baseDirectory, decoded)
}

function safelyDecoded(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
