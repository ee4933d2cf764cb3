import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { secretsOf } from '@mig/core'
import { CliError, usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { stringFlag } from '../command-line.js'
import { CONFIG_FILENAMES } from '../config-file.js'
import { DEFAULT_DIRECTORY, URL_VARIABLES } from '../settings.js'

const DEFAULT_URL = 'sqlite:./app.db'

export const initCommand: Command = async ({ flags, environment, workingDirectory, output }) => {
  const existing = CONFIG_FILENAMES.find((filename) => existsSync(join(workingDirectory, filename)))
  if (existing) throw new CliError('MIG_FILE_EXISTS', `${existing} already exists here; mig init leaves it as it is.`)
  // A URL the environment gives wins over the config's anyway: writing the default beside it would only mislead.
  const urlFlag = stringFlag(flags, 'url')
  const urlVariable = urlFlag ? undefined : URL_VARIABLES.find((name) => environment[name]?.trim())
  const url = urlVariable ? undefined : (urlFlag ?? DEFAULT_URL)
  if (url && secretsOf(url).length) {
    throw usageError(
      'mig init does not write passwords into a config file that is likely committed. Leave the password out of --url and set MIG_DATABASE_URL where mig runs.',
    )
  }
  const directory = stringFlag(flags, 'dir') ?? DEFAULT_DIRECTORY
  const configFilename = flags.ts ? 'mig.config.ts' : 'mig.config.json'
  const urlLine = url ? `  url: ${quoted(url)},\n` : ''
  const text = flags.ts
    ? `import { defineConfig } from '@mig/cli'\n\nexport default defineConfig({\n${urlLine}  dir: ${quoted(directory)},\n})\n`
    : `${JSON.stringify({ url, dir: directory }, null, 2)}\n`
  await writeFile(join(workingDirectory, configFilename), text, { flag: 'wx' })
  const directoryPath = join(workingDirectory, directory)
  const createdDirectory = !existsSync(directoryPath)
  await mkdir(directoryPath, { recursive: true })
  const shownDirectory = relative(workingDirectory, directoryPath) || '.'
  output.line(`Created ${output.colours.bold(configFilename)}`)
  output.line(createdDirectory ? `Created ${output.colours.bold(`${shownDirectory}/`)}` : `Using the existing ${shownDirectory}/`)
  if (urlVariable) output.line(`The database URL comes from ${urlVariable}, so ${configFilename} names none.`)
  output.line(`Next: mig create <name>, write the SQL, then mig up.`)
  return {
    document: {
      configFile: configFilename,
      directory: shownDirectory,
      url: url ?? null,
      urlVariable: urlVariable ?? null,
      createdDirectory,
    },
  }
}

function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
