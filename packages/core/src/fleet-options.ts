import type { Driver } from './driver.js'
import { InvalidOptionsError } from './errors.js'
import type { FleetEvent } from './fleet-events.js'
import { checkTargetId, type FleetShard, type FleetTarget, validateShard } from './fleet-target.js'
import { DEFAULT_HISTORY_TABLE, validateHistoryTableName } from './history-table.js'
import type { MigrationSource } from './migration.js'
import type { MigratorOptions } from './migrator-options.js'

/** Options every target's Migrator shares; the driver and the history schema come per target. */
export type FleetMigratorOptions = Omit<MigratorOptions, 'driver' | 'source' | 'logger'>

export interface FleetOptions<Target extends FleetTarget, Result> extends FleetMigratorOptions {
  /** The targets, streamed: an array, a generator, or an async generator reading a file or a query. */
  readonly targets: Iterable<Target> | AsyncIterable<Target>
  /**
   * Makes the driver of one target when it starts. Core holds no dialect code: the caller maps a
   * target to `sqliteDriver(…)` or `postgresDriver(…)`. A throw fails that target alone.
   */
  readonly driver: (target: Target) => Driver | Promise<Driver>
  /** Listed once for the whole fleet, so every target runs the same migrations. */
  readonly source: MigrationSource
  /** Targets running at once. Default 4. */
  readonly concurrency?: number
  /**
   * Targets running at once on one server ({@link FleetTarget.server}); a PostgreSQL target holds
   * up to two connections (migrations and the lock). Default: `concurrency`.
   */
  readonly perServer?: number
  /** `stop` (default): start no target after one fails; `continue`: take every target. */
  readonly onFailure?: 'stop' | 'continue'
  /** Run this many targets first, and stop if any of them fails. Default 0. */
  readonly canary?: number
  /** How many more times an unreachable target is tried. Default 2. */
  readonly retries?: number
  /** The first retry's delay; each next one doubles, up to 30 s. Default 1 000 ms. */
  readonly retryDelayMs?: number
  /** Take only this slice of the targets. */
  readonly shard?: FleetShard
  /** Aborting starts no more targets; running ones stop between migrations. */
  readonly signal?: AbortSignal
  /**
   * Aborting starts no more targets and stops running ones now: each one's running statement is
   * cancelled on the server and its migration rolled back, as `up({ cancelSignal })` does for one
   * database. The CLI aborts it on a second Ctrl-C or SIGTERM.
   */
  readonly cancelSignal?: AbortSignal
  readonly onEvent?: (event: FleetEvent<Target, Result>) => void
}

export interface FleetSettings {
  readonly concurrency: number
  readonly perServer: number
  readonly onFailure: 'stop' | 'continue'
  readonly canary: number
  readonly retries: number
  readonly retryDelayMs: number
  readonly shard: FleetShard | undefined
}

const DEFAULT_CONCURRENCY = 4

/** Checks every fleet option before any target is touched. */
export function resolveFleetOptions<Target extends FleetTarget, Result>(options: FleetOptions<Target, Result>): FleetSettings {
  if (!options?.targets) throw new InvalidOptionsError('A fleet needs targets: an array or an (async) iterable of { id, … }.')
  if (typeof options.driver !== 'function') {
    throw new InvalidOptionsError('A fleet needs driver: (target) => Driver, e.g. (tenant) => sqliteDriver({ filename: tenant.file }).')
  }
  if (!options.source) throw new InvalidOptionsError('A fleet needs a source, e.g. fromDirectory("migrations").')
  if (Array.isArray(options.targets)) {
    const seen = new Set<string>()
    for (const target of options.targets) checkTargetId(target, seen)
  }
  validateHistoryTableName({ name: options.table ?? DEFAULT_HISTORY_TABLE, schema: options.schema })
  const concurrency = whole('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY, 1)
  const onFailure = options.onFailure ?? 'stop'
  if (onFailure !== 'stop' && onFailure !== 'continue') {
    throw new InvalidOptionsError(`onFailure must be "stop" or "continue", not ${JSON.stringify(options.onFailure)}.`)
  }
  return {
    concurrency,
    perServer: whole('perServer', options.perServer ?? concurrency, 1),
    onFailure,
    canary: whole('canary', options.canary ?? 0, 0),
    retries: whole('retries', options.retries ?? 2, 0),
    retryDelayMs: whole('retryDelayMs', options.retryDelayMs ?? 1_000, 0),
    shard: options.shard === undefined ? undefined : validateShard(options.shard),
  }
}

function whole(name: string, value: number, minimum: number): number {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidOptionsError(`${name} must be a whole number of at least ${minimum}, not ${JSON.stringify(value)}.`)
  }
  return value
}
