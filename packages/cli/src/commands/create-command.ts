import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { type ExistingVersion, type SchemaConversion, timestampOf, type VersionStyle, versionDigitsOf, versionFromDigits } from '@mig/core'
import { CliError, configError, usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { stringFlag } from '../command-line.js'
import { driverFromUrl } from '../dialect-registry.js'
import { checkMigrationSum, writeMigrationSum } from '../migration-sum-file.js'
import { EXTENSION_OF, type MigrationKind, migrationTemplate } from '../migration-template.js'
import type { Output } from '../output.js'
import { resolveSettings, type Settings } from '../settings.js'

export const createCommand: Command = async ({ flags, positionals, environment, workingDirectory, output }) => {
  const name = positionals[0]
  if (name === undefined) throw usageError('mig create needs a name, e.g. mig create add_users.')
  const { isMigrationName, MIGRATION_NAME_RULE } = await import('@mig/core')
  if (!isMigrationName(name)) throw usageError(`"${name}" is not a usable migration name. Use ${MIGRATION_NAME_RULE}: add_users.`)
  if (flags.ts && flags.js) throw usageError('Give mig create either --ts or --js, not both.')
  const kind: MigrationKind = flags.ts ? 'ts' : flags.js ? 'js' : 'sql'
  const schemaFile = stringFlag(flags, 'from-schema')
  if (schemaFile !== undefined && kind !== 'sql')
    throw usageError('mig create --from-schema writes SQL migrations; leave out --ts and --js.')
  if (flags.timestamp && flags.sequential) throw usageError('Give mig create either --timestamp or --sequential, not both.')
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const style = flags.timestamp ? 'timestamp' : flags.sequential ? 'sequential' : (settings.versions ?? 'sequential')
  const { versions, write } = await newMigrations(settings, style, workingDirectory, output)
  if (schemaFile === undefined) {
    const version = versions.next().value as string
    const file = `${version}_${name}${EXTENSION_OF[kind]}`
    const path = await write(file, migrationTemplate(kind))
    return { document: { file, path, version: versionFromDigits(version), name, kind } }
  }
  return createFromSchema(resolve(workingDirectory, schemaFile), name, settings, versions, write, output, workingDirectory)
}

/**
 * The versions new files take in the migrations folder (after the newest, in `style`), and how
 * to write one: the file, then `mig.sum` when the folder has one. Notes what a new file does not fix.
 */
export async function newMigrations(settings: Settings, style: VersionStyle, workingDirectory: string, output: Output) {
  await mkdir(settings.directory, { recursive: true })
  await checkMigrationSum(settings.directory)
  const existing = await readdir(settings.directory)
  const { highestVersion, versionsAfter } = await import('@mig/core')
  const highest = highestVersion(existing)
  for (const note of await clashNotes(existing, highest, style)) output.note(note)
  return {
    versions: versionsAfter(highest, style),
    write: async (file: string, content: string) => {
      const path = await writeMigration(settings.directory, workingDirectory, file, content, output)
      await writeMigrationSum(settings.directory, 'if-present')
      return path
    },
  }
}

/**
 * What is wrong with the folder's versions that a new file does not fix: two files of one
 * version (after a merge), or, for a timestamp, a newest version later than now, so the new
 * file is numbered after it rather than by the clock.
 */
async function clashNotes(files: readonly string[], highest: ExistingVersion | undefined, style: VersionStyle): Promise<string[]> {
  const notes: string[] = []
  const byVersion = new Map<bigint, string[]>()
  for (const file of files) {
    const digits = versionDigitsOf(file)
    if (digits !== undefined) byVersion.set(BigInt(digits), [...(byVersion.get(BigInt(digits)) ?? []), file])
  }
  for (const [version, clashing] of byVersion) {
    if (clashing.length > 1) {
      notes.push(
        `Version ${version} is used by more than one migration: ${clashing.join(', ')} (two branches merged?). ` +
          'Run mig renumber to move the ones not applied yet after the newest.',
      )
    }
  }
  const now = timestampOf(new Date())
  if (style === 'timestamp' && highest && highest.version > BigInt(now)) {
    notes.push(
      `The newest migration's version, ${highest.digits}, is later than the time now (${now} UTC), so the new file is numbered after it. ` +
        'If that file came from a clock that was ahead, run mig renumber after merging to keep versions in order.',
    )
  }
  return notes
}

/**
 * Converts a hand-applied schema file into a first migration (and a no-transaction one for
 * settings that last but cannot run in a transaction), built and checked on a scratch database
 * of the URL's dialect. The database at the URL itself is not touched.
 */
async function createFromSchema(
  schemaPath: string,
  name: string,
  settings: Settings,
  versions: Generator<string>,
  write: (file: string, content: string) => Promise<string>,
  output: Output,
  workingDirectory: string,
): Promise<{ document: Record<string, unknown> }> {
  if (!settings.url) {
    throw configError(
      'mig create --from-schema needs a database URL for its dialect (--url, MIG_DATABASE_URL or the config file). It builds the schema on a scratch database and leaves the database itself alone.',
    )
  }
  const url = settings.url
  output.redactor.addUrl(url)
  let schema: string
  try {
    schema = await readFile(schemaPath, 'utf8')
  } catch (error) {
    throw configError(`Cannot read the schema file ${schemaPath}: ${(error as Error).message}`, error)
  }
  const driver = await driverFromUrl(url, { baseDirectory: settings.urlBaseDirectory, access: 'read-only' })
  const { convertSchema } = await import('@mig/core')
  const conversion = await convertSchema(driver, schema)
  const source = relative(workingDirectory, schemaPath) || schemaPath

  const version = versions.next().value as string
  const file = `${version}_${name}.sql`
  const path = await write(
    file,
    `-- Converted from ${source} by mig create --from-schema.\n-- mig:up\n${conversion.up}\n-- mig:down\n${conversion.down}\n`,
  )
  const created = [{ file, path, version: versionFromDigits(version), name }]
  if (conversion.lastingSettings) {
    const settingsVersion = versions.next().value as string
    const settingsFile = `${settingsVersion}_${name}_settings.sql`
    const settingsPath = await write(
      settingsFile,
      `-- Settings from ${source} that last in the database but take no effect inside a transaction.\n` +
        `-- mig:no-transaction\n-- mig:up\n${conversion.lastingSettings.up}\n\n-- mig:down\n${conversion.lastingSettings.down}\n`,
    )
    created.push({ file: settingsFile, path: settingsPath, version: versionFromDigits(settingsVersion), name: `${name}_settings` })
  }
  for (const note of leftOutNotes(conversion)) output.note(note)
  for (const note of conversion.notes) output.note(note)
  return {
    document: {
      file,
      path,
      version: versionFromDigits(version),
      name,
      kind: 'sql',
      created,
      connectionSettings: conversion.connectionSettings,
      leftOut: conversion.leftOut,
      notes: conversion.notes,
    },
  }
}

/** One line for each reason something was left out, listing the statements once. */
function leftOutNotes(conversion: SchemaConversion): string[] {
  const groups = new Map<string, string[]>()
  const add = (explanation: string, statement: string) => {
    groups.set(explanation, [...(groups.get(explanation) ?? []), `"${statement.replace(/\s+/g, ' ')}"`])
  }
  for (const setting of conversion.connectionSettings) add(` ${setting.advice}`, setting.statement)
  for (const statement of conversion.leftOut) add(`: ${statement.reason}.`, statement.statement)
  return [...groups].map(
    ([explanation, statements]) => `Left out ${statements.join(', ')}${explanation.startsWith(':') ? '' : '.'}${explanation}`,
  )
}

async function writeMigration(directory: string, workingDirectory: string, file: string, content: string, output: Output): Promise<string> {
  const path = join(directory, file)
  try {
    await writeFile(path, content, { flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError('MIG_FILE_EXISTS', `${path} already exists.`)
    throw error
  }
  const shownPath = relative(workingDirectory, path) || path
  output.line(`Created ${output.colours.bold(shownPath)}`)
  return shownPath
}
