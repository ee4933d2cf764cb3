import { readdir } from 'node:fs/promises'
import type { Migrator } from '@mig/core'
import { configError } from './cli-error.js'
import { type DatabaseTarget, parseDatabaseUrl } from './database-url.js'
import { loadDriver } from './load-driver.js'
import type { Output } from './output.js'
import type { Settings } from './settings.js'
import { isTypeScriptFile, registerTypeScript } from './typescript-loader.js'

export interface OpenedMigrator {
  readonly migrator: Migrator
  readonly target: DatabaseTarget
}

/**
 * Builds the Migrator for a command that opens the database. `loadsCode` says whether the
 * command may import code migrations; only then is the TypeScript loader registered, and only
 * if the folder holds a `.ts` file.
 */
export async function openMigrator(settings: Settings, output: Output, { loadsCode }: { loadsCode: boolean }): Promise<OpenedMigrator> {
  if (!settings.url) {
    throw configError(
      'No database URL. Pass --url, set MIG_DATABASE_URL or DATABASE_URL, or put "url" in mig.config.json (mig init writes one).',
    )
  }
  output.redactor.addUrl(settings.url)
  const target = parseDatabaseUrl(settings.url, settings.urlBaseDirectory)
  if (loadsCode && (await holdsTypeScript(settings.directory))) await registerTypeScript()
  const driver = await loadDriver(target)
  const { Migrator, fromDirectory } = await import('@mig/core')
  const migrator = new Migrator({
    driver,
    source: fromDirectory(settings.directory),
    table: settings.table,
    schema: settings.schema,
    lockTimeoutMs: settings.lockTimeoutMs,
    allowOutOfOrder: settings.allowOutOfOrder,
    transactionMode: settings.singleTransaction ? 'single' : 'per-migration',
  })
  return { migrator, target }
}

async function holdsTypeScript(directory: string): Promise<boolean> {
  try {
    return (await readdir(directory)).some(isTypeScriptFile)
  } catch {
    // A missing folder is reported by the migration source, with its own message.
    return false
  }
}
