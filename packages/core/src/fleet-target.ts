import { createHash } from 'node:crypto'
import { InvalidOptionsError } from './errors.js'

/**
 * One database (or one schema of a database) in a fleet. Targets are streamed: the fleet holds
 * only the ones running, waiting for a retry, or waiting for their server (and the ids seen, to refuse
 * a target listed twice), never the whole list.
 */
export interface FleetTarget {
  /**
   * Names the target in events, reports, `--only` and sharding: stable from run to run, unique
   * in the fleet, and free of secrets (a redacted URL, a tenant id, a schema name).
   */
  readonly id: string
  /**
   * Targets with the same server share the per-server cap (`db-1:5432`). Undefined: no cap
   * (a SQLite file).
   */
  readonly server?: string
  /** The history table's schema on this target (a schema per tenant); default the fleet's `schema`. */
  readonly schema?: string
}

/**
 * A deterministic slice of a fleet, so that `count` jobs split it between them: job `index`
 * (1 to `count`, as in `--shard 2/4`) takes the targets whose id hashes to it. The slice depends
 * only on the id, so adding a tenant moves no other tenant to another job.
 */
export interface FleetShard {
  readonly index: number
  readonly count: number
}

export function validateShard(shard: FleetShard): FleetShard {
  const { index, count } = shard
  if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(index) || index < 1 || index > count) {
    throw new InvalidOptionsError(
      `A shard is index/count with 1 <= index <= count (as in 2/4), not ${index}/${count}. A Kubernetes JOB_COMPLETION_INDEX starts at 0: add 1.`,
    )
  }
  return shard
}

/** Whether the target with this id belongs to the shard: SHA-256 of the id, modulo the count. */
export function isInShard(id: string, shard: FleetShard): boolean {
  if (shard.count === 1) return true
  return createHash('sha256').update(id).digest().readUInt32BE(0) % shard.count === shard.index - 1
}

/**
 * A target needs an id, and one id names one target: listed twice, a database would be migrated
 * by two runners of the same fleet. An array is checked before anything starts; a stream as it is read.
 */
export function checkTargetId(target: FleetTarget, seen: Set<string>): void {
  if (typeof target?.id !== 'string' || target.id === '') {
    throw new InvalidOptionsError(`Every fleet target needs an id (a non-empty string), not ${JSON.stringify(target?.id)}.`)
  }
  if (seen.has(target.id)) {
    throw new InvalidOptionsError(
      `Fleet target ${target.id} is listed twice. List each database once (a repeated line in a targets file, or two patterns matching one file?).`,
    )
  }
  seen.add(target.id)
}
