import { isAbsolute, resolve } from 'node:path'
import { configError } from './cli-error.js'
import { redactUrl } from './redaction.js'

export type DatabaseTarget =
  | { readonly dialect: 'sqlite'; readonly filename: string }
  | { readonly dialect: 'postgres'; readonly connectionString: string }

/**
 * Reads a database URL: `sqlite:./app.db`, `sqlite:///absolute/app.db`, `sqlite::memory:`,
 * `postgres://…` or `postgresql://…`. A relative SQLite path resolves against `baseDirectory`
 * (the config file's folder for a URL from the config file, else the working directory).
 */
export function parseDatabaseUrl(url: string, baseDirectory: string): DatabaseTarget {
  const trimmed = url.trim()
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase()
  if (scheme === 'sqlite' || scheme === 'sqlite3') {
    let path = trimmed.slice(scheme.length + 1)
    if (path.startsWith('//')) path = path.slice(2)
    path = path.split(/[?#]/)[0] ?? ''
    if (path === ':memory:') return { dialect: 'sqlite', filename: ':memory:' }
    if (!path) throw configError(`The URL ${redactUrl(url)} names no file. Write it as sqlite:./app.db or sqlite::memory:.`)
    const decoded = safelyDecoded(path)
    return { dialect: 'sqlite', filename: isAbsolute(decoded) ? decoded : resolve(baseDirectory, decoded) }
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    try {
      new URL(trimmed)
    } catch {
      throw configError(
        `The URL ${redactUrl(url)} is not a valid PostgreSQL URL. Write it as postgres://user:password@host:5432/database, with special characters in the password percent-encoded.`,
      )
    }
    return { dialect: 'postgres', connectionString: trimmed }
  }
  throw configError(
    `The database URL ${redactUrl(url)} is not supported. Use sqlite:./app.db, sqlite::memory:, or postgres://user@host:5432/database.`,
  )
}

function safelyDecoded(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
