import type { MigrationStatus, RepeatableState, RepeatableStatus } from '@mig/core'
import type { Command } from '../command-context.js'
import { ExitCode, type ExitCodeValue } from '../exit-codes.js'
import { formatTable, plural, visibleLength } from '../format.js'
import type { Output } from '../output.js'
import { withMigrator } from '../with-migrator.js'
import { printDatabase } from './migration-run-report.js'

interface StatusSummary {
  readonly total: number
  readonly applied: number
  readonly baselined: number
  readonly failed: number
  /** Outside a transaction, being applied now by a runner that holds the lock. */
  readonly running: number
  readonly pending: number
  /** Applied migrations whose file is gone. */
  readonly missing: number
  /** Applied migrations whose version a different file holds now. */
  readonly replaced: number
  /** Applied migrations whose file changed since. */
  readonly changed: number
  /** Pending migrations older than the newest applied one. */
  readonly outOfOrder: number
  /** History rows mig cannot read. */
  readonly unreadable: number
  /** Migrations that `validate` and `up` would refuse, by core's rules. */
  readonly problems: number
  /** Repeatable migrations that are new, changed, or run again because a pending migration drops what they create. */
  readonly repeatablesDue: number
}

/** How status words each state of a repeatable migration. */
const REPEATABLE_WORDING: Record<RepeatableState, string> = {
  new: 'new',
  changed: 'changed, will re-run',
  'up-to-date': 'up to date',
  removed: 'file removed: nothing was dropped',
}

export const statusCommand: Command = async (context) => {
  if (context.flags.fleet) return (await import('../fleet-command.js')).runFleetCommand(context, 'status')
  return withMigrator(context, { loadsCode: false, reportsProgress: false, access: 'read-only' }, async (migrator, { database }) => {
    const { migrations: statuses, repeatables } = await migrator.overview({ cancelSignal: context.cancelSignal })
    const summary = summarise(statuses, repeatables)
    printStatus(context.output, statuses, summary, database)
    printRepeatables(context.output, repeatables)
    return {
      // Built only for --json: for thousands of migrations it is a good part of the run.
      document:
        context.output.format === 'json'
          ? { database, migrations: statuses.map(statusToJson), repeatables: repeatables.map(repeatableToJson), summary }
          : {},
      exitCode: exitCodeOf(summary, context.flags['exit-code'] === true),
    }
  })
}

/** With --exit-code: 3 when `validate` would refuse something, 5 when migrations are pending or still running. */
function exitCodeOf(summary: StatusSummary, wanted: boolean): ExitCodeValue {
  if (!wanted) return ExitCode.success
  if (summary.problems > 0) return ExitCode.validationFailed
  return summary.pending > 0 || summary.running > 0 || summary.repeatablesDue > 0 ? ExitCode.pending : ExitCode.success
}

function summarise(statuses: readonly MigrationStatus[], repeatables: readonly RepeatableStatus[]): StatusSummary {
  // One pass: with thousands of migrations, a filter per figure is a good part of the run.
  const states: Record<MigrationStatus['state'], number> = { applied: 0, baselined: 0, failed: 0, running: 0, pending: 0, unreadable: 0 }
  let missing = 0
  let replaced = 0
  let changed = 0
  let outOfOrder = 0
  let problems = 0
  for (const status of statuses) {
    states[status.state]++
    if (isMissing(status)) missing++
    if (status.replacedBy !== undefined) replaced++
    if (status.checksumMatches === false) changed++
    if (status.outOfOrder) outOfOrder++
    if (status.problem !== undefined) problems++
  }
  return {
    total: statuses.length,
    applied: states.applied,
    baselined: states.baselined,
    failed: states.failed,
    running: states.running,
    pending: states.pending,
    missing,
    replaced,
    changed,
    outOfOrder,
    unreadable: states.unreadable,
    problems,
    repeatablesDue: repeatables.filter(
      (repeatable) => repeatable.state === 'new' || repeatable.state === 'changed' || repeatable.runsAgain !== undefined,
    ).length,
  }
}

function repeatableToJson(repeatable: RepeatableStatus): Record<string, unknown> {
  return {
    name: repeatable.name,
    file: repeatable.file,
    state: repeatable.state,
    appliedAt: repeatable.appliedAt?.toISOString() ?? null,
    executionMs: repeatable.executionMs === undefined ? null : Math.round(repeatable.executionMs),
    appliedBy: repeatable.appliedBy ?? null,
    runsAgain: repeatable.runsAgain ?? null,
  }
}

/** Repeatable migrations under the versioned ones, in the order they run; nothing when there are none. */
function printRepeatables(output: Output, repeatables: readonly RepeatableStatus[]): void {
  if (repeatables.length === 0) return
  const { bold, green, yellow, red } = output.colours
  const colour: Record<RepeatableState, (text: string) => string> = { new: yellow, changed: yellow, 'up-to-date': green, removed: red }
  const rows = repeatables.map((repeatable) => [
    repeatable.runsAgain === undefined ? colour[repeatable.state](REPEATABLE_WORDING[repeatable.state]) : yellow('runs again'),
    repeatable.file,
    repeatable.appliedAt ? formatTimestamp(repeatable.appliedAt) : '',
  ])
  output.line()
  for (const line of formatTable([[bold('Repeatable'), bold('Migration'), bold('Applied at')], ...rows], visibleLength)) output.line(line)
  for (const repeatable of repeatables) {
    if (repeatable.runsAgain !== undefined) output.line(`${repeatable.file} runs again: ${repeatable.runsAgain}.`)
  }
  if (repeatables.some((repeatable) => repeatable.state === 'removed')) {
    output.line(
      'A removed repeatable migration drops nothing: what it made stays until a versioned migration drops it. Then mig repair <name> --forget removes its record.',
    )
  }
}

function statusToJson(status: MigrationStatus): Record<string, unknown> {
  return {
    version: status.version,
    name: status.name,
    file: status.file,
    state: status.state,
    fileFound: status.fileFound,
    replacedBy: status.replacedBy ?? null,
    renumberedTo: status.renumberedTo ?? null,
    checksumMatches: status.checksumMatches ?? null,
    outOfOrder: status.outOfOrder,
    problem: status.problem ?? null,
    appliedAt: status.appliedAt?.toISOString() ?? null,
    executionMs: status.executionMs === undefined ? null : Math.round(status.executionMs),
    appliedBy: status.appliedBy ?? null,
    detail: status.detail ?? null,
  }
}

function printStatus(output: Output, statuses: readonly MigrationStatus[], summary: StatusSummary, database: string): void {
  const { bold, green, yellow, red } = output.colours
  printDatabase(output, database)
  if (statuses.length === 0) {
    output.line('No migrations yet. Create one with mig create <name>.')
    return
  }
  const stateColour: Record<MigrationStatus['state'], (text: string) => string> = {
    applied: green,
    baselined: green,
    failed: red,
    pending: yellow,
    unreadable: red,
    running: yellow,
  }
  const rows = statuses.map((status) => [
    stateColour[status.state](status.state),
    status.file,
    status.appliedAt ? formatTimestamp(status.appliedAt) : '',
    notesOf(status, output.colours),
  ])
  for (const line of formatTable([[bold('State'), bold('Migration'), bold('Applied at'), ''], ...rows], visibleLength)) output.line(line)
  const parts = [
    `${summary.applied + summary.baselined} applied`,
    `${summary.pending} pending`,
    summary.running && yellow(`${summary.running} running`),
    summary.failed && red(`${summary.failed} failed`),
    summary.missing && red(`${summary.missing} missing`),
    summary.replaced && red(`${summary.replaced} replaced`),
    summary.changed && red(`${summary.changed} changed`),
    summary.outOfOrder && yellow(`${summary.outOfOrder} out of order`),
    summary.unreadable && red(`${summary.unreadable} unreadable`),
  ].filter(Boolean)
  output.line()
  output.line(`${plural(summary.total, 'migration')}: ${parts.join(', ')}.`)
  if (summary.missing || summary.replaced) printBranchAdvice(output, statuses)
}

/**
 * What to do about applied migrations whose file is gone or replaced; `mig down --missing` only
 * when history recorded the down SQL of each and the oldest applied one has its file, since it
 * reverts nothing otherwise.
 */
function printBranchAdvice(output: Output, statuses: readonly MigrationStatus[]): void {
  const { bold } = output.colours
  const missing = statuses.filter(isMissing)
  const replaced = statuses.filter((status) => status.replacedBy !== undefined)
  const unrecorded = [...missing, ...replaced].filter((status) => !status.downRecorded)
  const them = (items: readonly unknown[]) => (items.length > 1 ? 'them' : 'it')
  if (!statuses.find((status) => status.state !== 'pending')?.fileFound) {
    output.line(
      `Even the oldest applied migration has no file: check that this is the right migrations folder (--dir, or "dir" in the config file) ` +
        `and a complete checkout; ${bold('mig down --missing')} reverts nothing then. ${bold('mig validate')} says more.`,
    )
    return
  }
  const renumbered = statuses.filter((status) => status.renumberedTo !== undefined)
  if (renumbered.length) {
    output.line(
      `${renumbered.length > 1 ? `${renumbered.length} applied migrations were` : 'An applied migration was'} renumbered since ` +
        `(after a merge?). On a database of your own: revert ${them(renumbered)} with ${bold('mig down --missing --include-renumbered')}, ` +
        `then ${bold('mig up')}. On a shared database, give the file${renumbered.length > 1 ? 's' : ''} back ${renumbered.length > 1 ? 'their' : 'its'} ` +
        `applied name${renumbered.length > 1 ? 's' : ''}. ${bold('mig validate')} says more.`,
    )
    return
  }
  if (missing.length) {
    const subject = missing.length > 1 ? `${missing.length} applied migrations have` : 'An applied migration has'
    output.line(
      unrecorded.length === 0
        ? `${subject} no file (after switching branches?): revert ${them(missing)} with ${bold('mig down --missing')}, or restore the file${missing.length > 1 ? 's' : ''}.`
        : `${subject} no file (after switching branches?), and history holds no down SQL for ${unrecorded.map((status) => status.file).join(', ')}, ` +
            `so ${bold('mig down --missing')} cannot revert ${them(unrecorded)}: restore ${them(unrecorded)}, or undo ${them(unrecorded)} by hand and run ` +
            `${unrecorded.map((status) => bold(`mig repair ${status.version} --forget`)).join(', ')}` +
            `${unrecorded.length < missing.length + replaced.length ? `; then ${bold('mig down --missing')} reverts the rest` : ''}. ${bold('mig validate')} says more.`,
    )
  }
  if (replaced.length) {
    output.line(
      `${replaced.length > 1 ? `${replaced.length} applied migrations share their versions` : 'An applied migration shares its version'} ` +
        `with a different file now (after a merge?): give ${replaced.length > 1 ? 'those files' : 'that file'} a later version with ${bold('mig renumber')}` +
        (unrecorded.length === 0
          ? `, or revert the applied one${replaced.length > 1 ? 's' : ''} first with ${bold('mig down --missing')}.`
          : '.'),
    )
  }
}

function notesOf(status: MigrationStatus, { red, yellow, dim }: Output['colours']): string {
  const noteworthy =
    status.replacedBy !== undefined || !status.fileFound || status.checksumMatches === false || status.outOfOrder || status.detail
  if (!noteworthy) return ''
  return [
    status.replacedBy !== undefined && red(`a different migration, ${status.replacedBy}, now holds its version`),
    status.renumberedTo !== undefined && red(`renumbered to ${status.renumberedTo} since applied`),
    isMissing(status) && status.renumberedTo === undefined && red('file missing'),
    status.checksumMatches === false && red('file changed since applied'),
    status.outOfOrder && yellow('out of order'),
    status.detail && dim(status.detail),
  ]
    .filter((note): note is string => typeof note === 'string')
    .join('; ')
}

/** Applied, and its file is gone; one whose version a different file holds now is replaced, not missing. */
function isMissing(status: MigrationStatus): boolean {
  return !status.fileFound && status.replacedBy === undefined
}

/** `2026-11-23 12:00:00 UTC`: the same on every machine, whatever its time zone. */
function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}
