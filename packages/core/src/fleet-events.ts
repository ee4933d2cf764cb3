import type { FleetTarget } from './fleet-target.js'
import type { MigrationInfo } from './migration.js'

/**
 * How one target ended. `unreachable`: its database could not be reached (after the retries);
 * `cancelled`: the fleet's signal stopped it between two migrations, and what it completed
 * stays applied.
 */
export type TargetOutcome<Target extends FleetTarget, Result> =
  | {
      readonly target: Target
      readonly state: 'done'
      readonly result: Result
      readonly attempts: number
      readonly durationMs: number
    }
  | {
      readonly target: Target
      readonly state: 'failed' | 'unreachable' | 'cancelled'
      readonly error: Error
      readonly attempts: number
      readonly durationMs: number
    }

export type TargetState = TargetOutcome<FleetTarget, unknown>['state']

/**
 * Why a fleet stopped before taking every target: a target failed (with `onFailure: 'stop'`),
 * a canary target failed, or the signal aborted the run.
 */
export type FleetStopReason = 'failure' | 'canary' | 'aborted'

/** What a fleet run reports, per target, as it happens. */
export type FleetEvent<Target extends FleetTarget, Result> =
  | { readonly type: 'target-started'; readonly target: Target; readonly attempt: number }
  | {
      readonly type: 'target-retrying'
      readonly target: Target
      /** The attempt that failed; the next one starts after `delayMs`. */
      readonly attempt: number
      readonly delayMs: number
      readonly error: Error
    }
  | {
      /**
       * A warning of the target's run, as a single run's Migrator gives it (`warning` event):
       * an empty migration, a statement with no effect where it runs. A retried target may give
       * the same warning again.
       */
      readonly type: 'target-warning'
      readonly target: Target
      readonly migration: MigrationInfo | undefined
      readonly message: string
    }
  | { readonly type: 'target-finished'; readonly outcome: TargetOutcome<Target, Result> }
  | { readonly type: 'fleet-stopping'; readonly reason: FleetStopReason }
