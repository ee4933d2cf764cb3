import { DRIFT_WORDING, describeDifference } from '@mig/core'
import type { Command } from '../command-context.js'
import { ExitCode } from '../exit-codes.js'
import { plural } from '../format.js'
import { withMigrator } from '../with-migrator.js'

export const driftCommand: Command = async (context) => {
  const { output } = context
  const { migration, differences } = await withMigrator(context, { loadsCode: true, reportsProgress: false }, (migrator) =>
    migrator.drift(),
  )
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
