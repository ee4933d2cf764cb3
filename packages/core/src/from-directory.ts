import type { Dirent } from 'node:fs'
import { readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { checksumOf } from './checksum.js'
import { loadCodeMigration } from './code-migration.js'
import { InvalidMigrationError, InvalidOptionsError, messageOf } from './errors.js'
import type { Migration, MigrationScripts, MigrationSource } from './migration.js'
import { parseMigrationFile } from './migration-file-parser.js'
import { looksLikeMigration, parseMigrationFilename } from './migration-filename.js'
import { MIGRATION_SUM_FILE } from './migration-sum.js'
import { REPEATABLE_FOLDER, repeatableMigration } from './repeatable-migration.js'

/**
 * Migrations from a folder: `.sql` files, and `.js`/`.mjs`/`.cjs` modules (`.ts` too when the
 * process can import TypeScript, as under the mig CLI; also `.mts`/`.cts`). Files are read and
 * checksummed when the folder is listed; they are parsed or imported only when they are about to
 * run or be validated, which is still before the first statement of a run. A SQL file is read
 * again then, and refused if it changed since it was listed. A `mig.sum` in the folder is handed
 * to the Migrator, which verifies it before anything runs. The `.sql` files of its `repeatable/`
 * folder are repeatable migrations.
 */
export function fromDirectory(directory: string): MigrationSource {
  const root = resolve(directory)
  return {
    async list() {
      const files = await readMigrationFilenames(root)
      return files.map((file) => readMigration(root, file))
    },
    async sum() {
      try {
        return readFileSync(join(root, MIGRATION_SUM_FILE), 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw new InvalidOptionsError(`${join(root, MIGRATION_SUM_FILE)} cannot be read: ${messageOf(error)}.`, { cause: error })
      }
    },
    async listRepeatables() {
      const files = await readRepeatableFilenames(join(root, REPEATABLE_FOLDER))
      return files.map((file) => repeatableMigration(file, readMigrationText(join(root, file), file)))
    },
  }
}

/** `repeatable/<name>.sql` for each file of the repeatable folder (hidden files such as .gitkeep aside); none without the folder. */
async function readRepeatableFilenames(folder: string): Promise<string[]> {
  let entries: Dirent[]
  try {
    entries = await readdir(folder, { withFileTypes: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return []
    throw new InvalidOptionsError(`The repeatable migrations folder ${folder} cannot be read (${code ?? messageOf(error)}).`, {
      cause: error,
    })
  }
  const visible = entries.filter((entry) => !entry.name.startsWith('.'))
  const nested = visible.find((entry) => entry.isDirectory())
  if (nested) {
    throw new InvalidMigrationError({
      file: `${REPEATABLE_FOLDER}/${nested.name}`,
      reason: `is a folder: repeatable migrations are the .sql files directly in ${REPEATABLE_FOLDER}/. Move its files up, or move it out.`,
    })
  }
  return visible.map((entry) => `${REPEATABLE_FOLDER}/${entry.name}`)
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

/** A migration file's text; a link to nothing, a folder behind a link, or a file mig may not read is named with the fix. */
function readMigrationText(path: string, file: string): string {
  try {
    // Synchronous and as text on purpose: this read is the bulk of a no-op run's start-up, and
    // for thousands of small files fs/promises' readFile (open, fstat, read, close, each a
    // promise and a FileHandle) costs about eight times the time and three times the memory.
    // Reading UTF-8 text is one call into Node; reading bytes is several, and slower even
    // though the text is then encoded again to be hashed.
    return readFileSync(path, 'utf8')
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
  // `file` is a name the folder listed, so no path.join, which normalises what needs none.
  const path = `${root}${sep}${file}`
  const checksum = checksumOf(readMigrationText(path, file))
  // Object literals, not `{ ...identity, load }`: V8 gives every object built by a spread its
  // own hidden class, which for 10,000 migrations is megabytes and slower property reads.
  if (kind === 'sql') {
    // Parsed when needed: every migration about to run (or be validated) is loaded before the
    // first statement, and an applied file's checksum already vouches for its content. The text
    // is read again then rather than held, so a long history costs its checksums, not its files.
    let scripts: MigrationScripts | undefined
    return { version, name, file, checksum, load: async () => (scripts ??= parseMigrationFile(file, readUnchanged(path, file, checksum))) }
  }
  let loaded: Promise<MigrationScripts> | undefined
  return { version, name, file, checksum, load: () => (loaded ??= importCodeMigration(file, path, checksum)) }
}

/** The file's text again, refused if it changed since it was listed: what runs is what was checked. */
function readUnchanged(path: string, file: string, checksum: string): string {
  const text = readMigrationText(path, file)
  if (checksumOf(text) !== checksum) {
    throw new InvalidMigrationError({
      file,
      reason: 'changed while mig was running, after its checksum was taken. Nothing was run; run the command again.',
    })
  }
  return text
}

/**
 * Each code migration's checksum when this process first imported it. Node keeps the module it
 * imported first for the life of the process, so an edited file would run its old code under the
 * new checksum.
 */
const importedChecksums = new Map<string, string>()

async function importCodeMigration(file: string, path: string, checksum: string): Promise<MigrationScripts> {
  const url = pathToFileURL(path).href
  if ((importedChecksums.get(url) ?? checksum) !== checksum) {
    throw new InvalidMigrationError({
      file,
      reason: 'changed after this process imported it, and Node keeps the version it imported first. Nothing was run; restart the process.',
    })
  }
  importedChecksums.set(url, checksum)
  let module: unknown
  try {
    module = await import(url)
  } catch (error) {
    // Only Node's own refusal of the extension means that no loader is registered.
    const hint =
      /\.[mc]?ts$/.test(file) && (error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ' TypeScript migrations need a loader: run them through the mig CLI, or start Node with tsx.'
        : ''
    throw new InvalidMigrationError({ file, reason: `cannot be imported: ${messageOf(error)}.${hint}`, cause: error })
  }
  return loadCodeMigration(file, module)
}
