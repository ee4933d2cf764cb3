import type { Command } from '../command-context.js'
import { formatDuration } from '../format.js'
import { dumpAfterRun } from '../schema-file.js'
import { withMigrator } from '../with-migrator.js'
import { afterLockWait, outcomeToJson, printDatabase, withLockWait } from './migration-run-report.js'

export const redoCommand: Command = async (context) =>
  withMigrator(
    context,
    { loadsCode: true, access: 'existing', verbose: context.flags.verbose === true },
    async (migrator, { settings, database }) => {
      printDatabase(context.output, database)
      const run = await withLockWait(migrator, () => migrator.redo({ signal: context.signal, cancelSignal: context.cancelSignal }))
      const { reverted, applied } = run.result
      await dumpAfterRun(migrator, settings, context.output, [reverted, applied], context.workingDirectory)
      const redone = applied.migrations[0]
      const durationMs = reverted.durationMs + applied.durationMs
      context.output.line(
        redone
          ? context.output.colours.bold(`Redid ${redone.file} in ${formatDuration(durationMs)}${afterLockWait(run.lockWaitMs)}.`)
          : 'Nothing to redo: no migration is applied.',
      )
      return {
        document: {
          database,
          reverted: reverted.migrations.map(outcomeToJson),
          applied: applied.migrations.map(outcomeToJson),
          durationMs,
          lockWaitMs: run.lockWaitMs,
        },
      }
    },
  )
