import { RenumberRefusedError } from './errors.js'
import type { HistoryRecord } from './history-store.js'
import { historyStore, withSession } from './locked-session.js'
import { type Migration, type MigrationInfo, migrationInfo } from './migration.js'
import { compareVersions, newestVersion, versionFromDigits } from './migration-version.js'
import type { MigratorSettings } from './migrator-options.js'
import { highestVersion, styleOf, type VersionStyle, versionsAfter } from './next-version.js'

export interface RenumberOptions {
  /**
   * The files to move, by name (`0005_add_tags.sql`); they keep their order. Default: every migration
   * not applied to the database that is not after the newest applied one (which includes one
   * that shares its version with an applied one), and every migration not applied after it.
   */
  readonly files?: readonly string[]
  /** How the new versions are numbered. Default: like the newest migration in the folder. */
  readonly style?: VersionStyle
  /** The time timestamp versions are taken from. Default: now. */
  readonly now?: Date
}

/** One migration given a new version: its file is renamed from `from.file` to `to.file`. */
export interface Renumbering {
  readonly from: MigrationInfo
  readonly to: MigrationInfo
}

/** {@link planRenumbering} for the Migrator's source and database. Read-only. */
export async function renumbering(settings: MigratorSettings, options: RenumberOptions): Promise<Renumbering[]> {
  const migrations = await settings.source.list()
  const records = await withSession(settings, (session) => historyStore(settings, session).list())
  return planRenumbering(migrations, records, options)
}

/**
 * Which migrations `renumber` moves and where. "Not applied" is decided against the history
 * given (the configured database): a file is applied when history holds its version under its
 * name, or under another name with its checksum (a rename). The moved migrations keep their
 * order and go after both the newest file that stays and the newest version in history, so
 * they are pending and in order afterwards. Refuses, before anything is renamed, to move an
 * applied migration, and to guess which of two files that share a version and are both new
 * should move.
 */
export function planRenumbering(
  migrations: readonly Migration[],
  records: readonly HistoryRecord[],
  options: RenumberOptions = {},
): Renumbering[] {
  const recordByVersion = new Map(records.map((record) => [record.version, record]))
  const isApplied = (migration: Migration) => {
    const record = recordByVersion.get(migration.version)
    return record !== undefined && (record.name === migration.name || record.checksum === migration.checksum)
  }
  const movers = options.files ? namedMovers(migrations, options.files, isApplied) : outOfPlace(migrations, records, isApplied)
  if (movers.length === 0) return []
  const staying = migrations.filter((migration) => !movers.includes(migration)).map((migration) => migration.file)
  const highest = highestVersion([...staying, ...records.map((record) => record.file)])
  const versions = versionsAfter(
    highest,
    options.style ?? styleOf(highestVersion(migrations.map((migration) => migration.file))),
    options.now,
  )
  const ordered = [...new Set(movers)].sort((a, b) => compareVersions(a.version, b.version) || a.file.localeCompare(b.file))
  return ordered.map((migration) => {
    const digits = versions.next().value as string
    const extension = migration.file.slice(migration.file.indexOf('_') + 1 + migration.name.length)
    return {
      from: migrationInfo(migration),
      to: { version: versionFromDigits(digits), name: migration.name, file: `${digits}_${migration.name}${extension}` },
    }
  })
}

function namedMovers(
  migrations: readonly Migration[],
  files: readonly string[],
  isApplied: (migration: Migration) => boolean,
): Migration[] {
  return files.map((file) => {
    const migration = migrations.find((candidate) => candidate.file === file)
    if (!migration)
      throw new RenumberRefusedError(
        `The migrations folder has no file ${file}. Name files as they are in the folder, e.g. 0005_add_tags.sql.`,
      )
    if (isApplied(migration)) {
      throw new RenumberRefusedError(
        `${file} is applied to the database, so it cannot be renumbered: history would no longer know it. Nothing was renamed. ` +
          'Renumber only migrations that are not applied yet.',
      )
    }
    return migration
  })
}

/**
 * Migrations not applied that are not after the newest applied one, or share a version with an
 * applied one, and every migration not applied after the first of them, so that all of them
 * keep their order. Two migrations not applied that share a version cannot be ordered: refused.
 */
function outOfPlace(
  migrations: readonly Migration[],
  records: readonly HistoryRecord[],
  isApplied: (migration: Migration) => boolean,
): Migration[] {
  const newestApplied = newestVersion(records.map((record) => record.version))
  const notApplied = migrations.filter((migration) => !isApplied(migration))
  const tied = notApplied.filter((migration) => notApplied.some((other) => other !== migration && other.version === migration.version))
  if (tied.length) {
    const files = tied.map((migration) => migration.file).sort()
    throw new RenumberRefusedError(
      `${files.join(' and ')} share version ${tied[0]?.version}, and neither is applied to the database, so mig cannot tell which one is new. ` +
        `Nothing was renamed. Name the files to move, in order, e.g. \`mig renumber ${files[files.length - 1]}\`.`,
    )
  }
  const first = notApplied
    .filter((migration) => migration.version <= newestApplied)
    .sort((a, b) => compareVersions(a.version, b.version))[0]
  return first ? notApplied.filter((migration) => migration.version >= first.version) : []
}
