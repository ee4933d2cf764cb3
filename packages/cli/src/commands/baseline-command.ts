import { usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { versionFlag } from '../command-line.js'
import { plural } from '../format.js'
import { withMigrator } from '../with-migrator.js'

export const baselineCommand: Command = async (context) => {
  const to = versionFlag(context.flags, 'to', { minimum: 1 })
  const force = context.flags.force === true
  if (force && to === undefined)
    throw usageError('mig baseline --force needs --to <version>: without a schema comparison, mig cannot find it.')
  return withMigrator(context, { loadsCode: true, access: 'existing' }, async (migrator) => {
    const baselined = await migrator.baseline({ to, force, signal: context.signal, cancelSignal: context.cancelSignal })
    const versioned = baselined.filter((migration) => !migration.repeatable)
    const repeatables = baselined.filter((migration) => migration.repeatable)
    const what = `${plural(versioned.length, 'migration')}${repeatables.length ? ` and ${plural(repeatables.length, 'repeatable migration')}` : ''}`
    const how = force ? 'without comparing schemas (--force); history says so' : 'after the database matched the schema they build'
    context.output.line(context.output.colours.bold(`Baselined ${what} ${how}. Nothing was run.`))
    return {
      document: {
        migrations: versioned.map(({ version, name, file }) => ({ version, name, file })),
        repeatables: repeatables.map(({ name, file }) => ({ name, file })),
        verified: !force,
      },
    }
  })
}
