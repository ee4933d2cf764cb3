import { type DialectText, type Migrator, type MigratorOptions, redactUrl } from '@mig/core'
import { configError } from './cli-error.js'
import type { CommandContext } from './command-context.js'
import { type DatabaseAccess, describeDatabase, driverFromUrl } from './dialect-registry.js'
import { trackMigrationUnderWay } from './migration-under-way.js'
import { ProgressReporter } from './progress-reporter.js'
import { resolveSettings, type Settings } from './settings.js'
import { registeringTypeScript } from './typescript-loader.js'

/** What a command gets besides the Migrator. */
export interface OpenedDatabase {
  readonly settings: Settings
  /** The driver's dialect: `sqlite`, `postgres`. */
  readonly dialect: string
  /** The database URL with its password masked, as it is shown. */
  readonly database: string
  /** The driver's dialect text, for reading migration files as the runner does (placeholders). */
  readonly dialectText: DialectText
}

export interface MigratorCommandOptions {
  /** Whether the command may import code migrations; only then is the TypeScript loader registered (if the folder holds a `.ts` migration). */
  readonly loadsCode: boolean
  /** Whether progress (applied, reverted, waiting for the lock) is printed while the command runs. Default true. */
  readonly reportsProgress?: boolean
  /** What the command does with the database, and so what a missing one means (see {@link DatabaseAccess}). Default `read-write`. */
  readonly access?: DatabaseAccess
  /** `--verbose`: each piece of migration SQL is printed on stderr as it is sent. */
  readonly verbose?: boolean
}

/**
 * What every command that opens the database does around its own work: settings, the
 * Migrator for the URL's dialect, and progress reporting, detached in a `finally`.
 */
export async function withMigrator<T>(
  context: CommandContext,
  options: MigratorCommandOptions,
  work: (migrator: Migrator, opened: OpenedDatabase) => Promise<T>,
): Promise<T> {
  const settings = await resolveSettings(context.flags, context.environment, context.workingDirectory)
  const { migrator, dialect, dialectText } = await openMigrator(settings, context, options)
  const reporter =
    options.reportsProgress === false
      ? undefined
      : new ProgressReporter(migrator, context.output, { verbose: options.verbose === true }).attach()
  const untrack = trackMigrationUnderWay(migrator)
  try {
    return await work(migrator, { settings, dialect, database: redactUrl(requireUrl(settings)), dialectText })
  } finally {
    untrack()
    reporter?.detach()
  }
}

async function openMigrator(
  settings: Settings,
  { output }: CommandContext,
  { loadsCode, access }: MigratorCommandOptions,
): Promise<{ migrator: Migrator; dialect: string; dialectText: DialectText }> {
  const url = requireUrl(settings)
  output.redactor.addUrl(url)
  const urlOptions = { baseDirectory: settings.urlBaseDirectory, access: access ?? 'read-write', ...settings.dialectOptions } as const
  const driver = await driverFromUrl(url, urlOptions)
  const note = await describeDatabase(url, urlOptions)
  if (note) output.note(note)
  const { Migrator } = await import('@mig/core')
  const migrator = new Migrator({ driver, ...(await migratorOptionsOf(settings, { loadsCode })) })
  return { migrator, dialect: driver.dialect, dialectText: driver.text }
}

/** The Migrator's options as the settings give them, all but the driver: for one database or each of a fleet. */
export async function migratorOptionsOf(
  settings: Settings,
  { loadsCode }: Pick<MigratorCommandOptions, 'loadsCode'>,
): Promise<Omit<MigratorOptions, 'driver'>> {
  const { fromDirectory } = await import('@mig/core')
  const source = fromDirectory(settings.directory)
  return {
    source: loadsCode ? registeringTypeScript(source) : source,
    table: settings.table,
    schema: settings.schema,
    lockWaitMs: settings.lockWaitMs,
    allowOutOfOrder: settings.allowOutOfOrder,
    transactionMode: settings.singleTransaction ? 'single' : 'per-migration',
    placeholders: settings.placeholders,
  }
}

export function requireUrl(settings: Settings): string {
  if (!settings.url) {
    throw configError(
      'No database URL. Pass --url, set MIG_DATABASE_URL or DATABASE_URL, or put "url" in mig.config.json (mig init writes one).',
    )
  }
  return settings.url
}
