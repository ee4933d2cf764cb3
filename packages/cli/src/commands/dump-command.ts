import { relative, resolve } from 'node:path'
import type { Command } from '../command-context.js'
import { stringFlag } from '../command-line.js'
import { openMigrator } from '../open-migrator.js'
import { writeSchemaFile } from '../schema-file.js'
import { resolveSettings } from '../settings.js'

export const dumpCommand: Command = async ({ flags, environment, workingDirectory, output }) => {
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const from = flags['from-migrations'] === true ? 'migrations' : 'database'
  const { migrator } = await openMigrator(settings, output, { loadsCode: from === 'migrations' })
  const sql = await migrator.dump({ from })
  const fileFlag = stringFlag(flags, 'file')
  const file = fileFlag === undefined ? settings.dumpFile : resolve(workingDirectory, fileFlag)
  if (file === undefined) {
    output.line(sql.replace(/\n$/, ''))
    return { document: { from, file: null, sql } }
  }
  const written = await writeSchemaFile(file, sql)
  const shown = relative(workingDirectory, file) || file
  output.line(written ? `Wrote ${output.colours.bold(shown)}.` : `${shown} is up to date.`)
  return { document: { from, file: shown, written } }
}
