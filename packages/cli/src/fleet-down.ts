import { compareVersions, fromDirectory, type Migration } from '@mig/core'
import { usageError } from './cli-error.js'
import type { FlagValues } from './command-line.js'
import { commandLine } from './fleet-resume.js'
import { versionAsWritten } from './fleet-status.js'

/**
 * `mig down --fleet` takes every target to one version: `--to` (or `--all`, to none). Without it
 * each target would revert its own newest migrations, and after an up that reached only some
 * targets, those it did not reach would revert the release before it and lose its data. Refused
 * before any target is read, with the command that reverts the newest migration everywhere.
 */
export async function refuseFleetDownWithoutTo(flags: FlagValues, migrationsDirectory: string): Promise<void> {
  if (flags.to !== undefined || flags.all === true) return
  const why =
    flags.step === undefined
      ? 'mig down --fleet needs --to <version>, the version every target ends at: without it, each target reverts its own newest migration'
      : 'mig down --fleet takes --to <version>, not --step: --step counts from where each target stands'
  const { step: _step, ...kept } = flags
  const [newest, previous] = await newestTwo(migrationsDirectory)
  const example = newest
    ? ` To revert ${newest.file} on every target: ${commandLine('down', { ...kept, to: previous ? versionAsWritten(previous) : '0' }).command}`
    : ''
  throw usageError(
    `${why}, so after an up that reached only some targets, the targets it did not reach would revert the release before it ` +
      `and lose its tables and data. Nothing was reverted. See where each target is with mig status --fleet.${example}`,
  )
}

/** The newest two migrations of the folder, newest first; none when it cannot be listed (the refusal then suggests no version). */
async function newestTwo(directory: string): Promise<readonly Migration[]> {
  try {
    const migrations = await fromDirectory(directory).list()
    return migrations.sort((first, second) => compareVersions(second.version, first.version)).slice(0, 2)
  } catch {
    return []
  }
}
