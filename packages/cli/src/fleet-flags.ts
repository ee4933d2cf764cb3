import type { FleetShard } from '@mig/core'
import { usageError } from './cli-error.js'
import { type FlagValues, integerFlag, stringFlag } from './command-line.js'

/** The fleet flags, checked. */
export interface FleetFlags {
  readonly concurrency: number | undefined
  readonly perServer: number | undefined
  readonly onFailure: 'stop' | 'continue'
  readonly canary: number | undefined
  readonly retries: number | undefined
  readonly retryDelayMs: number | undefined
  readonly shard: FleetShard | undefined
  readonly only: ReadonlySet<string> | undefined
}

export function readFleetFlags(flags: FlagValues): FleetFlags {
  if (flags['dry-run']) throw usageError('--dry-run does not combine with --fleet: run it against one target with --url.')
  return {
    concurrency: integerFlag(flags, 'concurrency', { minimum: 1 }),
    perServer: integerFlag(flags, 'per-server', { minimum: 1 }),
    onFailure: flags['keep-going'] === true ? 'continue' : 'stop',
    canary: integerFlag(flags, 'canary', { minimum: 0 }),
    retries: integerFlag(flags, 'retries', { minimum: 0 }),
    retryDelayMs: retryDelayMs(stringFlag(flags, 'retry-delay')),
    shard: shard(stringFlag(flags, 'shard')),
    only: only(stringFlag(flags, 'only')),
  }
}

function retryDelayMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const seconds = Number(value.trim())
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw usageError(`--retry-delay needs a number of seconds (0 or more), not "${value}".`)
  }
  return Math.round(seconds * 1000)
}

function shard(value: string | undefined): FleetShard | undefined {
  if (value === undefined) return undefined
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value)
  const index = Number(match?.[1])
  const count = Number(match?.[2])
  if (!match || count < 1 || index < 1 || index > count) {
    throw usageError(
      `--shard needs i/n with 1 <= i <= n, as in --shard 2/4, not "${value}". In a Kubernetes Indexed Job: --shard $((JOB_COMPLETION_INDEX + 1))/<completions>.`,
    )
  }
  return { index, count }
}

function only(value: string | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
  if (ids.length === 0) throw usageError('--only needs at least one target id.')
  return new Set(ids)
}
