import { existsSync } from 'node:fs'
import { rename } from 'node:fs/promises'
import { basename, join, relative } from 'node:path'
import type { Renumbering } from '@mig/core'
import { CliError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { plural } from '../format.js'
import { checkNotEditedSinceSum, writeMigrationSum } from '../migration-sum-file.js'
import type { Output } from '../output.js'
import { withMigrator } from '../with-migrator.js'

/**
 * Moves migrations not applied to the configured database after the newest one (core decides
 * which and where: see `planRenumbering`) and renames their files, then rewrites `mig.sum`
 * when the folder has one. The database is only read.
 */
export const renumberCommand: Command = async (context) => {
  const { flags, positionals, output } = context
  const dryRun = flags['dry-run'] === true
  const files = positionals.length ? positionals.map((file) => basename(file)) : undefined
  return withMigrator(context, { loadsCode: false, reportsProgress: false, access: 'read-only' }, async (migrator, { settings }) => {
    const renumbering = await migrator.renumbering({ files, style: settings.versions })
    const shown = relative(context.workingDirectory, settings.directory) || '.'
    if (renumbering.length === 0) {
      output.line('Nothing to renumber: every migration not applied yet comes after the newest applied one and has a version of its own.')
      return { document: { dryRun, renumbered: [], sumUpdated: false } }
    }
    if (dryRun) {
      output.line(
        output.colours.bold(`Dry run: ${plural(renumbering.length, 'migration')} would be renumbered in ${shown}. Nothing was renamed.`),
      )
      printMoves(output, renumbering)
      return { document: { dryRun, renumbered: renumbering.map(renumberingToJson), sumUpdated: false } }
    }
    await checkNotEditedSinceSum(settings.directory, new Set(renumbering.map(({ from }) => from.file)))
    await renameAll(settings.directory, renumbering)
    const sumUpdated = (await writeMigrationSum(settings.directory, 'if-present')) !== undefined
    output.line(output.colours.bold(`Renumbered ${plural(renumbering.length, 'migration')} in ${shown}:`))
    printMoves(output, renumbering)
    if (sumUpdated) output.line('Rewrote mig.sum.')
    output.line(`Commit the renamed files${sumUpdated ? ' and mig.sum' : ''}.`)
    return { document: { dryRun, renumbered: renumbering.map(renumberingToJson), sumUpdated } }
  })
}

/**
 * Renames through temporary names first, so that a file can take a name another one is just
 * leaving (0005 → 0006 while 0006 → 0007). Refuses, before renaming anything, a name that a
 * file outside the renumbering already has; a rename that fails puts every file back.
 */
async function renameAll(directory: string, renumbering: readonly Renumbering[]): Promise<void> {
  const leaving = new Set(renumbering.map(({ from }) => from.file))
  const taken = renumbering.find(({ to }) => !leaving.has(to.file) && existsSync(join(directory, to.file)))
  if (taken) throw new CliError('MIG_FILE_EXISTS', `${join(directory, taken.to.file)} already exists; nothing was renamed.`)
  const temporary = (file: string) => join(directory, `.${file}.renumbering`)
  const steps = [
    ...renumbering.map(({ from }) => ({ from: join(directory, from.file), to: temporary(from.file) })),
    ...renumbering.map(({ from, to }) => ({ from: temporary(from.file), to: join(directory, to.file) })),
  ]
  const done: typeof steps = []
  try {
    for (const step of steps) {
      await rename(step.from, step.to)
      done.push(step)
    }
  } catch (error) {
    const stranded: string[] = []
    for (const step of done.reverse()) await rename(step.to, step.from).catch(() => stranded.push(`${step.to} → ${step.from}`))
    const outcome = stranded.length
      ? `These files could not be put back; rename them by hand: ${stranded.join(', ')}.`
      : 'Every file was put back; nothing was renamed.'
    const failure = new Error(`Renumbering stopped: ${(error as Error).message}. ${outcome}`, { cause: error })
    throw Object.assign(failure, { code: (error as NodeJS.ErrnoException).code })
  }
}

function printMoves(output: Output, renumbering: readonly Renumbering[]): void {
  for (const { from, to } of renumbering) output.line(`  ${from.file} → ${output.colours.bold(to.file)}`)
}

function renumberingToJson({ from, to }: Renumbering): Record<string, unknown> {
  return { from: { version: from.version, file: from.file }, to: { version: to.version, file: to.file } }
}
