import { relative, resolve } from 'node:path'
import type { Command } from '../command-context.js'
import { stringFlag } from '../command-line.js'
import { writeSchemaFile } from '../schema-file.js'
import { withMigrator } from '../with-migrator.js'

export const dumpCommand: Command = async (context) => {
  const { flags, workingDirectory, output } = context
  const from = flags['from-migrations'] === true ? 'migrations' : 'database'
  const options = { loadsCode: from === 'migrations', reportsProgress: false, access: 'existing' } as const
  const [sql, settings] = await withMigrator(
    context,
    options,
    async (migrator, { settings }) => [await migrator.dump({ from }), settings] as const,
  )
  const fileFlag = stringFlag(flags, 'file')
  const file = fileFlag === undefined ? settings.dumpFile : resolve(workingDirectory, fileFlag)
  if (file === undefined) {
    output.line(sql.replace(/\n$/, ''))
    return { document: { from, file: null, sql } }
  }
  const written = await writeSchemaFile(file, sql)
  const shown = relative(workingDirectory, file) || file
  // On stderr: `mig dump > schema.sql` with the same file in the config must not write into it twice.
  output.note(written ? `Wrote ${output.colours.bold(shown)}.` : `${shown} is up to date.`)
  return { document: { from, file: shown, written } }
}
