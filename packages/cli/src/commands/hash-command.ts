import { join, relative } from 'node:path'
import type { Command } from '../command-context.js'
import { writeMigrationSum } from '../migration-sum-file.js'
import { resolveSettings } from '../settings.js'

/** Writes `mig.sum` for the migration files in the folder now; mig verifies it before every run from then on. */
export const hashCommand: Command = async ({ flags, environment, workingDirectory, output }) => {
  const { directory } = await resolveSettings(flags, environment, workingDirectory)
  const { MIGRATION_SUM_FILE } = await import('@mig/core')
  const count = (await writeMigrationSum(directory, 'always')) as number
  const path = relative(workingDirectory, join(directory, MIGRATION_SUM_FILE)) || MIGRATION_SUM_FILE
  output.line(`Wrote ${output.colours.bold(path)} (${count} migration${count === 1 ? '' : 's'}). Commit it with the migrations.`)
  return { document: { file: path, migrations: count } }
}
