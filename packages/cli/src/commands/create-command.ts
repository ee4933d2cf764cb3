import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { CliError, usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { EXTENSION_OF, type MigrationKind, migrationTemplate } from '../migration-template.js'
import { highestVersion, nextSequentialVersion, timestampVersion } from '../migration-version.js'
import { resolveSettings } from '../settings.js'

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/

export const createCommand: Command = async ({ flags, positionals, environment, workingDirectory, output }) => {
  const name = positionals[0]
  if (name === undefined) throw usageError('mig create needs a name, e.g. mig create add_users.')
  if (!NAME.test(name)) {
    throw usageError(`"${name}" is not a usable migration name. Use letters, digits, _ and -, starting with a letter or digit: add_users.`)
  }
  if (flags.ts && flags.js) throw usageError('Give mig create either --ts or --js, not both.')
  const kind: MigrationKind = flags.ts ? 'ts' : flags.js ? 'js' : 'sql'
  const settings = await resolveSettings(flags, environment, workingDirectory)
  await mkdir(settings.directory, { recursive: true })
  const highest = highestVersion(await readdir(settings.directory))
  const version = flags.timestamp ? timestampVersion(new Date(), highest) : nextSequentialVersion(highest)
  const file = `${version}_${name}${EXTENSION_OF[kind]}`
  const path = join(settings.directory, file)
  try {
    await writeFile(path, migrationTemplate(kind), { flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError('MIG_FILE_EXISTS', `${path} already exists.`)
    throw error
  }
  const shownPath = relative(workingDirectory, path) || path
  output.line(`Created ${output.colours.bold(shownPath)}`)
  return { document: { file, path: shownPath, version: Number(version), name, kind } }
}
