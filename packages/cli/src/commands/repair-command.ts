import type { MigrationStatus, MigrationVersion, RepairResolution } from '@mig/core'
import { usageError } from '../cli-error.js'
import type { Command, CommandContext } from '../command-context.js'
import { withMigrator } from '../with-migrator.js'

const RESOLUTIONS: Record<string, { resolution: RepairResolution; done: (file: string) => string }> = {
  applied: { resolution: 'applied', done: (file) => `Marked ${file} as applied.` },
  'rolled-back': {
    resolution: 'rolled-back',
    done: (file) => `Marked ${file} as rolled back; it is pending again and mig up will apply it.`,
  },
  'accept-checksum': { resolution: 'accept-checksum', done: (file) => `Recorded the new checksum of ${file}.` },
  forget: { resolution: 'forget', done: (file) => `Removed ${file} from history.` },
}

export const repairCommand: Command = async (context) => {
  const { flags, positionals, output } = context
  const chosen = Object.keys(RESOLUTIONS).filter((flag) => flags[flag] === true)
  if (chosen.length !== 1) {
    throw usageError(
      'mig repair needs exactly one of --applied or --rolled-back (a migration that failed part-way), --accept-checksum (an applied file edited ' +
        'harmlessly) or --forget (an applied file removed on purpose), e.g. mig repair 7 --applied.',
    )
  }
  const { resolution, done } = RESOLUTIONS[chosen[0] as string] as (typeof RESOLUTIONS)[string]
  const given = positionals[0]
  if (given !== undefined && !/^\d+$/.test(given)) return forgetRepeatable(context, chosen[0] as string, given)
  if (given === undefined && (resolution === 'accept-checksum' || resolution === 'forget')) {
    throw usageError(`mig repair --${chosen[0]} needs the version of the migration, e.g. mig repair 3 --${chosen[0]}.`)
  }
  return withMigrator(context, { loadsCode: false, access: 'existing' }, async (migrator) => {
    const version = given === undefined ? await onlyFailedVersion(await migrator.status()) : BigInt(given)
    const migration = await migrator.repair({ version, resolution, signal: context.signal, cancelSignal: context.cancelSignal })
    output.line(output.colours.bold(done(migration.file)))
    return { document: { migration: { version: migration.version, name: migration.name, file: migration.file }, resolution } }
  })
}

/** Without a version, repair the failed migration, provided there is exactly one. */
async function onlyFailedVersion(statuses: readonly MigrationStatus[]): Promise<MigrationVersion> {
  const failed = statuses.filter((status) => status.state === 'failed')
  if (failed.length === 1) return (failed[0] as MigrationStatus).version
  if (failed.length === 0) throw usageError('No migration is marked as failed; there is nothing to repair.')
  throw usageError(
    `${failed.length} migrations are marked as failed (${failed.map((status) => status.file).join(', ')}). Name one: mig repair <version> --applied.`,
  )
}

/** `mig repair views --forget` (or `repeatable/views.sql`): a repeatable migration removed on purpose. */
function forgetRepeatable(context: CommandContext, flag: string, given: string) {
  const name = /^(?:.*\/)?repeatable\/(.+)\.sql$/.exec(given.replaceAll('\\', '/'))?.[1] ?? given
  if (flag !== 'forget') {
    throw usageError(`mig repair takes a migration version, or a repeatable migration's name with --forget, not "${given}" with --${flag}.`)
  }
  return withMigrator(context, { loadsCode: false, access: 'existing' }, async (migrator) => {
    const migration = await migrator.repair({
      repeatable: name,
      resolution: 'forget',
      signal: context.signal,
      cancelSignal: context.cancelSignal,
    })
    context.output.line(context.output.colours.bold(`Removed ${migration.file} from the repeatable migrations' history.`))
    return { document: { migration: { version: 0, name: migration.name, file: migration.file, repeatable: true }, resolution: 'forget' } }
  })
}
