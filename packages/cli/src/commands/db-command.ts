import { redactUrl } from '@mig/core'
import { usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { databaseLifecycle } from '../dialect-registry.js'
import { resolveSettings } from '../settings.js'
import { requireUrl } from '../with-migrator.js'

/** `mig db create` makes the database the URL names unless it exists; `mig db drop --yes` deletes it. */
export const dbCommand: Command = async (context) => {
  const { output, flags } = context
  const action = context.positionals[0]
  if (action !== 'create' && action !== 'drop') throw usageError('mig db needs create or drop: mig db create, or mig db drop --yes.')
  const settings = await resolveSettings(flags, context.environment, context.workingDirectory)
  const url = requireUrl(settings)
  output.redactor.addUrl(url)
  const database = redactUrl(url)
  if (action === 'drop' && flags.yes !== true) {
    throw usageError(`mig db drop deletes ${database} and everything in it. It is meant for development: run mig db drop --yes to confirm.`)
  }
  const lifecycle = await databaseLifecycle(url)
  const options = { baseDirectory: settings.urlBaseDirectory }
  if (action === 'create') {
    const outcome = await lifecycle.createDatabase(url, options)
    output.line(outcome === 'created' ? `Created ${database}.` : `${database} already exists; nothing was changed.`)
    return { document: { action, database, outcome } }
  }
  const outcome = await lifecycle.dropDatabase(url, options)
  output.line(outcome === 'dropped' ? `Dropped ${database}.` : `${database} does not exist; nothing was dropped.`)
  return { document: { action, database, outcome } }
}
