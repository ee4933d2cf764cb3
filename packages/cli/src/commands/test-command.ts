import { describeDifference, isCodeMigrationFile, type MigrationReversibility, REVERSIBILITY_WORDING } from '@mig/core'
import { usageError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { stringFlag, versionFlag } from '../command-line.js'
import { ExitCode } from '../exit-codes.js'
import { formatDuration, plural } from '../format.js'
import type { Output } from '../output.js'
import { withMigrator } from '../with-migrator.js'

export const testCommand: Command = async (context) => {
  const { flags, output } = context
  const from = versionFlag(flags, 'from', { minimum: 1 })
  const acceptIrreversible = versionList(stringFlag(flags, 'accept-irreversible'))
  const started = performance.now()
  const report = await withMigrator(context, { loadsCode: true, reportsProgress: false }, (migrator) =>
    migrator.testReversibility({ from, acceptIrreversible }),
  )
  const durationMs = Math.round(performance.now() - started)
  for (const entry of report.migrations) printEntry(output, entry)
  for (const migration of report.untested) output.line(output.colours.dim(`  - ${migration.file}: not tested after the failure above`))
  const tested = report.migrations.length
  output.line(
    report.passed
      ? output.colours.bold(
          `Every down section undoes its up: ${plural(tested, 'migration')} tested on a scratch database in ${formatDuration(durationMs)}.`,
        )
      : output.colours.bold(
          `mig test failed: fix the migration above, or accept an irreversible one with --accept-irreversible <version>.`,
        ),
  )
  return {
    document: {
      passed: report.passed,
      migrations: report.migrations.map((entry) => ({
        ...entry,
        differences: entry.differences.map((difference) => ({
          ...difference,
          description: describeDifference(difference, REVERSIBILITY_WORDING),
        })),
      })),
      untested: report.untested,
      durationMs,
    },
    exitCode: report.passed ? ExitCode.success : ExitCode.checkFailed,
  }
}

function printEntry(output: Output, entry: MigrationReversibility): void {
  const { green, red, yellow } = output.colours
  const file = entry.migration.file
  switch (entry.outcome) {
    case 'reversible':
      output.line(`  ${green('ok')}  ${file}`)
      return
    case 'irreversible': {
      const [missing, fix] = isCodeMigrationFile(file)
        ? ['exports no down', 'Export a down(context)']
        : ['no down section', 'Write its down section']
      output.line(
        entry.accepted
          ? `  ${yellow('--')}  ${file}: irreversible (${missing}), accepted`
          : `  ${red('no')}  ${file}: irreversible (${missing}). ${fix}, or accept it with --accept-irreversible ${entry.migration.version}`,
      )
      return
    }
    case 'failed':
      output.line(`  ${red('no')}  ${file}: ${entry.error}`)
      return
    default:
      output.line(
        `  ${red('no')}  ${file}: ${entry.outcome === 'not-restored' ? 'down does not restore the schema before up' : 'up after down builds another schema'}`,
      )
      for (const difference of entry.differences) output.line(`        ${describeDifference(difference, REVERSIBILITY_WORDING)}`)
  }
}

function versionList(value: string | undefined): bigint[] | undefined {
  if (value === undefined) return undefined
  return value.split(',').map((part) => {
    if (!/^\d+$/.test(part.trim()) || BigInt(part.trim()) < 1n) {
      throw usageError(`--accept-irreversible takes migration versions separated by commas (3,7), not "${value}".`)
    }
    return BigInt(part.trim())
  })
}
