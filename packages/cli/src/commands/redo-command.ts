import type { Command } from '../command-context.js'
import { formatDuration } from '../format.js'
import { openMigrator } from '../open-migrator.js'
import { ProgressReporter } from '../progress-reporter.js'
import { dumpAfterRun } from '../schema-file.js'
import { resolveSettings } from '../settings.js'
import { outcomeToJson } from './migration-run-report.js'

export const redoCommand: Command = async ({ flags, environment, workingDirectory, output, signal }) => {
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const { migrator } = await openMigrator(settings, output, { loadsCode: true })
  const reporter = new ProgressReporter(migrator, output).attach()
  try {
    const { reverted, applied } = await migrator.redo({ signal })
    await dumpAfterRun(migrator, settings, output, [reverted, applied], workingDirectory)
    const redone = applied.migrations[0]
    output.line(
      redone
        ? output.colours.bold(`Redid ${redone.file} in ${formatDuration(reverted.durationMs + applied.durationMs)}.`)
        : 'Nothing to redo: no migration is applied.',
    )
    return {
      document: {
        reverted: reverted.migrations.map(outcomeToJson),
        applied: applied.migrations.map(outcomeToJson),
        durationMs: reverted.durationMs + applied.durationMs,
      },
    }
  } finally {
    reporter.detach()
  }
}
