import { type FleetResult, type FleetTarget, redactUrl, type TargetOutcome } from '@mig/core'
import type { FlagValues } from './command-line.js'

/** Past this many failed targets the resume command names the whole fleet: a re-run skips up-to-date targets. */
const MOST_IDS = 100

export interface ResumeCommand {
  /**
   * The command to run, as the user would type it, with the password in any flag's URL masked as
   * `***`; undefined when no command would take up exactly what is left (see `withoutCommand`).
   */
  readonly command: string | undefined
  /** The flags (`--url`) whose password was masked: the command runs once the user gives it again. */
  readonly masked: readonly string[]
  /** Why there is no command, and what to do instead. */
  readonly withoutCommand?: string
}

/**
 * The command that takes up a fleet run where it ended: the same command and flags with `--only`
 * naming the targets that did not finish, or, when the run stopped before taking every target,
 * the same command again with its own `--only` (targets already up to date cost one read each).
 * With `--step`, which counts from where each target stands, no command when it would move a
 * target twice. Undefined when there is nothing to resume. A password is never printed, so a flag's URL that carried one shows it
 * masked, and `masked` says which flags need it again.
 */
export function resumeCommand(command: string, flags: FlagValues, result: FleetResult<FleetTarget, unknown>): ResumeCommand | undefined {
  if (result.failures.length === 0 && result.stopped === undefined) return undefined
  const byIds = result.stopped === undefined && result.failures.length <= MOST_IDS
  if (flags.step !== undefined && (!byIds || result.failures.some(movedPartWay))) {
    return { command: undefined, masked: [], withoutCommand: STEP_NOT_RESUMABLE }
  }
  // Without ids of its own, the command is the run's own again: its --only must not widen to the
  // whole fleet, and its --canary still guards a fleet whose canary failed.
  const kept = Object.fromEntries(Object.entries(flags).filter(([name]) => !((name === 'only' || name === 'canary') && byIds)))
  const ids = byIds ? { only: result.failures.map((failure) => failure.target.id).join(',') } : {}
  return commandLine(command, { ...kept, ...ids })
}

/**
 * `mig <command>` with these flags, as the user would type them, with the password in any flag's
 * URL masked as `***`; `masked` says which flags need it again.
 */
export function commandLine(command: string, flags: FlagValues): { command: string; masked: string[] } {
  const masked: string[] = []
  const words = ['mig', command]
  for (const [name, value] of Object.entries(flags)) {
    if (value === undefined || value === false) continue
    if (value === true) {
      words.push(`--${name}`)
      continue
    }
    const shown = redactUrl(String(value))
    if (shown !== String(value)) masked.push(`--${name}`)
    words.push(`--${name}`, shellQuote(shown))
  }
  return { command: words.join(' '), masked }
}

const STEP_NOT_RESUMABLE =
  'No resume command: --step counts from where each target stands, so this command again would move the targets that already moved. ' +
  'See where each target is with mig status --fleet, then finish with --to <version> in place of --step.'

/** Whether a target that did not finish applied or reverted some of its migrations before it stopped. */
function movedPartWay(failure: TargetOutcome<FleetTarget, unknown>): boolean {
  const completed = failure.state === 'done' ? undefined : (failure.error as { completed?: unknown }).completed
  return Array.isArray(completed) && completed.length > 0
}

/** Says what to do with a resume command whose password was masked; undefined when none was. */
export function maskedPasswordNote({ masked }: ResumeCommand): string | undefined {
  if (masked.length === 0) return undefined
  const flags = masked.join(' and ')
  const orEnvironment = masked.includes('--url') ? ', or leave --url out and give the URL in MIG_DATABASE_URL' : ''
  return `The password in ${flags} is not printed: put it back in place of ***${orEnvironment}.`
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_\-.,/:=@%+]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}
