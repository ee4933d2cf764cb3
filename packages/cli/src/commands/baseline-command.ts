import { usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { integerFlag } from '../command-line.js'
import { plural } from '../format.js'
import { openMigrator } from '../open-migrator.js'
import { ProgressReporter } from '../progress-reporter.js'
import { resolveSettings } from '../settings.js'

export const baselineCommand: Command = async ({ flags, environment, workingDirectory, output, signal }) => {
  const to = integerFlag(flags, 'to', { minimum: 1 })
  const force = flags.force === true
  if (force && to === undefined)
    throw usageError('mig baseline --force needs --to <version>: without a schema comparison, mig cannot find it.')
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const { migrator } = await openMigrator(settings, output, { loadsCode: true })
  const reporter = new ProgressReporter(migrator, output).attach()
  try {
    const baselined = await migrator.baseline({ to, force, signal })
    const how = force ? 'without comparing schemas (--force); history says so' : 'after the database matched the schema they build'
    output.line(output.colours.bold(`Baselined ${plural(baselined.length, 'migration')} ${how}. Nothing was run.`))
    return {
      document: { migrations: baselined.map(({ version, name, file }) => ({ version, name, file })), verified: !force },
    }
  } finally {
    reporter.detach()
  }
}
