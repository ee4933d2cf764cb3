import { readFile, writeFile } from 'node:fs/promises'
import { relative } from 'node:path'
import type { MigrateResult, Migrator } from '@mig/core'
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
): Promise<void> {
  if (!settings.dumpFile || results.every((result) => result.migrations.length === 0)) return
  if (await writeSchemaFile(settings.dumpFile, await migrator.dump())) {
    output.note(`Wrote ${relative(workingDirectory, settings.dumpFile) || settings.dumpFile}.`)
  }
}
