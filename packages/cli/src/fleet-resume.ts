import type { FleetResult, FleetTarget } from '@mig/core'
import type { FlagValues } from './command-line.js'

/** Past this many failed targets the resume command names the whole fleet: a re-run skips up-to-date targets. */
const MOST_IDS = 100

/**
 * The command that takes up a fleet run where it ended: the same command and flags with `--only`
 * naming the targets that did not finish, or, when the run stopped before taking every target,
 * the same command again (targets already up to date cost one read each). Undefined when there
 * is nothing to resume.
 */
export function resumeCommand(command: string, flags: FlagValues, result: FleetResult<FleetTarget, unknown>): string | undefined {
  if (result.failures.length === 0 && result.stopped === undefined) return undefined
  const kept = Object.entries(flags).filter(
    ([name, value]) => value !== undefined && value !== false && name !== 'only' && name !== 'canary',
  )
  const words = [
    'mig',
    command,
    ...kept.flatMap(([name, value]) => (value === true ? [`--${name}`] : [`--${name}`, shellQuote(String(value))])),
  ]
  if (result.stopped === undefined && result.failures.length <= MOST_IDS) {
    words.push('--only', shellQuote(result.failures.map((failure) => failure.target.id).join(',')))
  }
  return words.join(' ')
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_\-.,/:=@%+]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}
