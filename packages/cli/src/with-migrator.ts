import { readdir } from 'node:fs/promises'
import type { Migrator } from '@mig/core'
import { configError } from './cli-error.js'
import type { CommandContext } from './command-context.js'
import { driverFromUrl } from './dialect-registry.js'
import { ProgressReporter } from './progress-reporter.js'
import { resolveSettings, type Settings } from './settings.js'
import { isTypeScriptFile, registerTypeScript } from './typescript-loader.js'

export interface MigratorCommandOptions {
  /** Whether the command may import code migrations; only then is the TypeScript loader registered (if the folder holds a `.ts` file). */
  readonly loadsCode: boolean
  /** Whether progress (applied, reverted, waiting for the lock) is printed while the command runs. Default true. */
  readonly reportsProgress?: boolean
}

/**
 * What every command that opens the database does around its own work: settings, the
 * Migrator for the URL's dialect, and progress reporting, detached in a `finally`.
 */
export async function withMigrator<T>(
  context: CommandContext,
  options: MigratorCommandOptions,
  work: (migrator: Migrator, settings: Settings) => Promise<T>,
): Promise<T> {
  const settings = await resolveSettings(context.flags, context.environment, context.workingDirectory)
  const migrator = await openMigrator(settings, context, options)
  const reporter = options.reportsProgress === false ? undefined : new ProgressReporter(migrator, context.output).attach()
  try {
    return await work(migrator, settings)
  } finally {
    reporter?.detach()
  }
}

async function openMigrator(settings: Settings, { output }: CommandContext, { loadsCode }: MigratorCommandOptions): Promise<Migrator> {
  const url = requireUrl(settings)
  output.redactor.addUrl(url)
  if (loadsCode && (await holdsTypeScript(settings.directory))) await registerTypeScript()
  const driver = await driverFromUrl(url, settings.urlBaseDirectory, settings.dialectOptions)
  const { Migrator, fromDirectory } = await import('@mig/core')
  return new Migrator({
    driver,
    source: fromDirectory(settings.directory),
    table: settings.table,
    schema: settings.schema,
    lockWaitMs: settings.lockWaitMs,
    allowOutOfOrder: settings.allowOutOfOrder,
    transactionMode: settings.singleTransaction ? 'single' : 'per-migration',
  })
}

export function requireUrl(settings: Settings): string {
  if (!settings.url) {
    throw configError(
      'No database URL. Pass --url, set MIG_DATABASE_URL or DATABASE_URL, or put "url" in mig.config.json (mig init writes one).',
    )
  }
  return settings.url
}

async function holdsTypeScript(directory: string): Promise<boolean> {
  try {
    return (await readdir(directory)).some(isTypeScriptFile)
  } catch {
    // A missing folder is reported by the migration source, with its own message.
    return false
  }
}
