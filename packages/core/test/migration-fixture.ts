import { checksumOf } from '../src/checksum.js'
import type { Migration } from '../src/migration.js'
import { parseMigrationFilename } from '../src/migration-filename.js'

/** A migration as a folder would list it, by file name alone: its checksum is that of its name unless given. */
export function migrationNamed(file: string, checksum = checksumOf(file)): Migration {
  const { version, name } = parseMigrationFilename(file)
  return {
    version,
    name,
    file,
    checksum,
    load: async () => ({ up: { kind: 'sql', sql: '', line: 1 }, down: undefined, transaction: true }),
  }
}
