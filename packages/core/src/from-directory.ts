import { readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { checksumOfBytes } from './checksum.js'
import { loadCodeMigration } from './code-migration.js'
import { InvalidMigrationError, InvalidOptionsError, messageOf } from './errors.js'
import type { Migration, MigrationScripts, MigrationSource } from './migration.js'
import { parseMigrationFile } from './migration-file-parser.js'
import { looksLikeMigration, parseMigrationFilename } from './migration-filename.js'

/**
 * Migrations from a folder: `.sql` files, and `.js`/`.mjs`/`.cjs` modules (`.ts` too when the
 * process can import TypeScript, as under the mig CLI; also `.mts`/`.cts`). Files are read and
 * checksummed when the folder is listed; they are parsed or imported only when they are about to
 * run or be validated, which is still before the first statement of a run.
 */
export function fromDirectory(directory: string): MigrationSource {
  const root = resolve(directory)
  return {
    async list() {
      const files = await readMigrationFilenames(root)
      return files.map((file) => readMigration(root, file))
    },
  }
}

async function readMigrationFilenames(root: string): Promise<string[]> {
  try {
    const entries = await readdir(root, { withFileTypes: true })
    const folder = entries.find((entry) => entry.isDirectory() && looksLikeMigration(entry.name))
    if (folder) {
      throw new InvalidMigrationError({
        file: folder.name,
        reason: 'is a folder, not a migration file. Rename it, or move it out of the migrations folder.',
      })
    }
    const candidates = entries.filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && looksLikeMigration(entry.name))
    return candidates.map((entry) => entry.name)
  } catch (error) {
    if (error instanceof InvalidMigrationError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new InvalidOptionsError(`The migrations folder ${root} does not exist. Create it (mig init does) or point to the right folder.`)
    }
    if (code === 'ENOTDIR')
      throw new InvalidOptionsError(`The migrations folder ${root} is a file, not a folder. Point to the right folder.`)
    throw new InvalidOptionsError(`The migrations folder ${root} cannot be read (${code ?? messageOf(error)}). Check its permissions.`, {
      cause: error,
    })
  }
}

/** A migration file's bytes; a link to nothing, a folder behind a link, or a file mig may not read is named with the fix. */
function readMigrationBytes(path: string, file: string): Buffer {
  try {
    // Synchronous on purpose: for thousands of small files, fs/promises' readFile (open, fstat,
    // read, close, each a promise and a FileHandle) costs about eight times the time and three
    // times the memory, and this read is the bulk of a no-op run's start-up. Bytes, not text:
    // an applied file is only hashed, and only a file about to run is decoded.
    return readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason =
      code === 'ENOENT'
        ? 'is a symbolic link to a file that does not exist. Point the link at the migration, or remove it.'
        : code === 'EISDIR'
          ? 'is a link to a folder, not a migration file. Rename it, or move it out of the migrations folder.'
          : code === 'EACCES' || code === 'EPERM'
            ? 'cannot be read: permission denied. Give the user running mig read access to it (chmod a+r).'
            : `cannot be read (${code ?? messageOf(error)}).`
    throw new InvalidMigrationError({ file, reason, cause: error })
  }
}

function readMigration(root: string, file: string): Migration {
  const { version, name, kind } = parseMigrationFilename(file)
  const path = join(root, file)
  const bytes = readMigrationBytes(path, file)
  const identity = { version, name, file, checksum: checksumOfBytes(bytes) }
  if (kind === 'sql') {
    // Parsed when needed: every migration about to run (or be validated) is loaded before the
    // first statement, and an applied file's checksum already vouches for its content.
    let scripts: MigrationScripts | undefined
    return { ...identity, load: async () => (scripts ??= parseMigrationFile(file, bytes.toString('utf8'))) }
  }
  let loaded: Promise<MigrationScripts> | undefined
  return { ...identity, load: () => (loaded ??= importCodeMigration(file, path)) }
}

async function importCodeMigration(file: string, path: string): Promise<MigrationScripts> {
  let module: unknown
  try {
    module = await import(pathToFileURL(path).href)
  } catch (error) {
    const hint = /\.[mc]?ts$/.test(file)
      ? ' TypeScript migrations need a loader: run them through the mig CLI, or start Node with tsx.'
      : ''
    throw new InvalidMigrationError({ file, reason: `cannot be imported: ${messageOf(error)}.${hint}`, cause: error })
  }
  return loadCodeMigration(file, module)
}
