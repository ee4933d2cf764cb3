import { opendir, stat } from 'node:fs/promises'
import { resolve } from 'node:path'

/** Whether a path holds a wildcard: `*`, `?` or a `[…]` class. */
export function hasWildcard(path: string): boolean {
  return /[*?[]/.test(path)
}

/**
 * Files matching `pattern`, whose segments may hold `*`, `?` and `[…]` (not `**`), read one
 * directory entry at a time so memory does not grow with the number of files. Paths come back as
 * the pattern writes them (`./tenants/a.db` for `./tenants/*.db`); a relative pattern is read
 * against `baseDirectory`. As in a shell, a wildcard does not match a leading dot; nor does it match
 * the files kept beside a database (see {@link COMPANION_FILE}).
 */
export async function* globFiles(pattern: string, baseDirectory: string): AsyncGenerator<string, void, undefined> {
  const segments = pattern.split('/')
  const first = segments.findIndex(hasWildcard)
  if (first < 0) {
    if (await isFile(resolve(baseDirectory, pattern))) yield pattern
    return
  }
  const prefix = first === 0 ? '' : segments.slice(0, first).join('/') || '/'
  yield* walk(prefix, segments.slice(first), baseDirectory)
}

async function* walk(written: string, rest: readonly string[], baseDirectory: string): AsyncGenerator<string, void, undefined> {
  const [segment, ...more] = rest
  if (segment === undefined) {
    if (await isFile(absolute(written, baseDirectory))) yield written
    return
  }
  const join = (name: string) => (written === '' ? name : written.endsWith('/') ? `${written}${name}` : `${written}/${name}`)
  if (!hasWildcard(segment)) {
    yield* walk(join(segment), more, baseDirectory)
    return
  }
  const matcher = segmentMatcher(segment)
  let directory: Awaited<ReturnType<typeof opendir>>
  try {
    directory = await opendir(absolute(written, baseDirectory))
  } catch {
    return
  }
  for await (const entry of directory) {
    if (!matcher.test(entry.name)) continue
    if (more.length === 0 && (await isCompanionFile(entry.name, (name) => absolute(join(name), baseDirectory)))) continue
    if (more.length > 0 ? entry.isDirectory() : entry.isFile() || entry.isSymbolicLink()) yield* walk(join(entry.name), more, baseDirectory)
  }
}

/**
 * SQLite's files beside a database (`-journal`, `-wal`, `-shm`) and mig's lock files
 * (`<database>.<table>.lock`): a glob such as `tenants/*` matches them too, but they are part
 * of the database next to them, never a target of their own.
 */
const COMPANION_FILE = /^(.+?)(?:-journal|-wal|-shm|\.[^.]+\.lock)$/

async function isCompanionFile(name: string, pathOf: (name: string) => string): Promise<boolean> {
  const database = COMPANION_FILE.exec(name)?.[1]
  return database !== undefined && (await isFile(pathOf(database)))
}

function absolute(path: string, baseDirectory: string): string {
  return resolve(baseDirectory, path === '' ? '.' : path)
}

/** One path segment's pattern as a regular expression. */
function segmentMatcher(segment: string): RegExp {
  let source = segment.startsWith('.') ? '' : '(?!\\.)'
  for (let index = 0; index < segment.length; index++) {
    const character = segment[index] as string
    const close = character === '[' ? segment.indexOf(']', index + 2) : -1
    if (character === '*') source += '.*'
    else if (character === '?') source += '.'
    else if (close > 0) {
      const body = segment.slice(index + 1, close)
      source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`.replace(/\\/g, '\\\\')
      index = close
    } else source += character.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
