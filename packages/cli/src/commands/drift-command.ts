import { DRIFT_WORDING, describeDifference } from '@mig/core'
import type { Command } from '../command-context.js'
import { ExitCode } from '../exit-codes.js'
import { plural } from '../format.js'
import { openMigrator } from '../open-migrator.js'
import { resolveSettings } from '../settings.js'

export const driftCommand: Command = async ({ flags, environment, workingDirectory, output }) => {
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const { migrator } = await openMigrator(settings, output, { loadsCode: true })
  const { migration, differences } = await migrator.drift()
  const against = migration ? `the migrations up to ${migration.file}` : 'no migrations (none is applied)'
  const described = differences.map((difference) => ({ ...difference, description: describeDifference(difference, DRIFT_WORDING) }))
  if (!differences.length) {
    output.line(`No drift: the database holds exactly what ${against} build.`)
  } else {
    output.line(output.colours.bold(`Drift: ${plural(differences.length, 'difference')} between the database and what ${against} build:`))
    for (const difference of described) output.line(`  ${difference.description}`)
  }
  return {
    document: { migration: migration ?? null, drifted: differences.length > 0, differences: described },
    exitCode: differences.length ? ExitCode.checkFailed : ExitCode.success,
  }
}
