import { relative } from 'node:path'
import { DRIFT_WORDING, type DriftResult, describeDifference, type SchemaChanges, versionFromDigits } from '@mig/core'
import { usageError } from '../cli-error.js'
import type { Command, CommandContext } from '../command-context.js'
import { stringFlag } from '../command-line.js'
import { ExitCode } from '../exit-codes.js'
import { plural } from '../format.js'
import type { Settings } from '../settings.js'
import { withMigrator } from '../with-migrator.js'
import { newMigrations } from './create-command.js'
import { printDatabase } from './migration-run-report.js'

export const driftCommand: Command = async (context) => {
  const { output, flags } = context
  const write = flags.write === true
  const name = stringFlag(flags, 'name') ?? 'adopt_drift'
  if (!write && flags.name !== undefined) throw usageError('mig drift --name names the migration that --write drafts: add --write.')
  const { isMigrationName, MIGRATION_NAME_RULE } = await import('@mig/core')
  if (!isMigrationName(name)) throw usageError(`"${name}" is not a usable migration name. Use ${MIGRATION_NAME_RULE}: adopt_drift.`)
  const [result, settings] = await withMigrator(
    context,
    { loadsCode: true, reportsProgress: false, access: 'existing' },
    async (migrator, opened) => {
      printDatabase(output, opened.database)
      return [await migrator.drift({ draft: write }), opened.settings] as const
    },
  )
  const { migration, differences } = result
  // With no versioned migration applied, the repeatable ones the database ran are still compared.
  const built = migration !== undefined || result.repeatables.length > 0
  const against = migration
    ? `the migrations up to ${migration.file}`
    : built
      ? 'the repeatable migrations (no versioned migration is applied)'
      : 'no migrations (none is applied)'
  const described = differences.map((difference) => ({ ...difference, description: describeDifference(difference, DRIFT_WORDING) }))
  if (result.nothingCompared) output.note(output.errorColours.yellow(`Warning: ${result.nothingCompared}`))
  if (!differences.length) {
    output.line(
      built
        ? `No drift: the database holds exactly what ${against} build.`
        : 'No drift: no migration is applied, and the database holds nothing.',
    )
  } else if (built) {
    output.line(output.colours.bold(`Drift: ${plural(differences.length, 'difference')} between the database and what ${against} build:`))
    for (const difference of described) output.line(`  ${difference.description}`)
  } else {
    output.line(output.colours.bold(`Drift: no migration is applied, yet the database holds ${plural(differences.length, 'object')}:`))
    for (const difference of described) output.line(`  ${difference.description}`)
    output.line('A database built without mig is adopted with mig baseline: see docs/adopting-an-existing-database.md.')
  }
  const draft = result.draft && (await writeDraft(context, settings, name, result, against))
  return {
    document: {
      migration: migration ?? null,
      repeatables: result.repeatables,
      drifted: differences.length > 0,
      differences: described,
      warning: result.nothingCompared ?? null,
      ...(write ? { draft: draft ?? null } : {}),
    },
    exitCode: differences.length ? ExitCode.checkFailed : ExitCode.success,
  }
}

/**
 * Writes the drafted migration as the next one in the folder, and says what to do with it: read
 * it, write what mig could not, then record it on the database it came from (which already holds
 * it) with a baseline that checks the schema, and apply it everywhere else.
 */
async function writeDraft(context: CommandContext, settings: Settings, name: string, result: DriftResult, against: string) {
  const { output, workingDirectory } = context
  const draft = result.draft as { up: SchemaChanges; down: SchemaChanges }
  const { versions, write } = await newMigrations(settings, settings.versions ?? 'sequential', workingDirectory, output)
  const version = versions.next().value as string
  const file = `${version}_${name}.sql`
  const byHand = [...draft.up.byHand.map((line) => `up: ${line}`), ...draft.down.byHand.map((line) => `down: ${line}`)]
  const header = [
    `-- Drafted by mig drift --write: what the database holds beyond ${against}.`,
    '-- Read every statement before you commit it: a snapshot sees the schema, not the data.',
    ...byHand.map((line) => `-- Write by hand, mig could not: ${line}`),
  ]
  const path = await write(
    file,
    `${header.join('\n')}\n-- mig:up\n${draft.up.statements.join('\n')}\n\n-- mig:down\n${draft.down.statements.join('\n')}\n`,
  )
  if (byHand.length) output.line(`Write ${plural(byHand.length, 'change')} by hand first: the file's header lists them.`)
  output.line(
    `The database it came from already holds it: record it there with \`mig baseline --to ${BigInt(version)}\`, which checks that the migrations build that schema. Elsewhere, mig up applies it once it passes lint, as any migration: the statements repeat what was done by hand, and on a big table they may need the safe recipe that \`mig lint ${relative(workingDirectory, path) || path}\` prints.`,
  )
  return { file, path, version: versionFromDigits(version), byHand }
}
