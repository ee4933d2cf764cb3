import { readFile, writeFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { AbortedError, ConnectionLostError, LockLostError, type MigrateResult, MigrationFailedError, type Migrator } from '@mig/core'
import type { Output } from './output.js'
import type { Settings } from './settings.js'

/**
 * Writes the dump to `file` unless it already holds exactly that, so that an unchanged schema
 * leaves the file (and its timestamp) alone. Returns whether it wrote.
 */
export async function writeSchemaFile(file: string, sql: string): Promise<boolean> {
  const current = await readFile(file, 'utf8').catch(() => undefined)
  if (current === sql) return false
  await writeFile(file, sql)
  return true
}

/** After an `up` or `down` that changed something, the config's `dump.file` is written again. */
export async function dumpAfterRun(
  migrator: Migrator,
  settings: Settings,
  output: Output,
  results: readonly MigrateResult[],
  workingDirectory: string,
  changed = results.some((result) => result.migrations.length > 0),
): Promise<void> {
  if (!settings.dumpFile || !changed) return
  if (await writeSchemaFile(settings.dumpFile, await migrator.dump())) {
    output.note(`Wrote ${relative(workingDirectory, settings.dumpFile) || settings.dumpFile}.`)
  }
}

/**
 * A run that failed after it applied or reverted some migrations changed the schema too: the
 * config's `dump.file` is written again before the failure is reported. Always throws `error`.
 */
export async function dumpAfterFailure(
  migrator: Migrator,
  settings: Settings,
  output: Output,
  error: unknown,
  workingDirectory: string,
): Promise<never> {
  const changed =
    (error instanceof MigrationFailedError ||
      error instanceof AbortedError ||
      error instanceof LockLostError ||
      error instanceof ConnectionLostError) &&
    error.completed.length > 0
  if (settings.dumpFile && changed) {
    await dumpAfterRun(migrator, settings, output, [], workingDirectory, true).catch((dumpError: unknown) =>
      output.note(`Could not write ${settings.dumpFile}: ${dumpError instanceof Error ? dumpError.message : String(dumpError)}`),
    )
  }
  throw error
}
