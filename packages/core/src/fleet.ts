import { monotonicMs } from './clock.js'
import type { Driver } from './driver.js'
import { InvalidMigrationError, InvalidOptionsError, UnknownVersionError } from './errors.js'
import type { FleetEvent, FleetStopReason, TargetOutcome } from './fleet-events.js'
import { type FleetOptions, type FleetSettings, resolveFleetOptions } from './fleet-options.js'
import { isUnreachable } from './fleet-reachability.js'
import { schedule } from './fleet-scheduler.js'
import { checkTargetId, type FleetShard, type FleetTarget, isInShard } from './fleet-target.js'
import { listMigrations, listRepeatables } from './locked-session.js'
import type { MigrationSource } from './migration.js'
import { Migrator } from './migrator.js'
import { type DownOptions, type RunOptions, type UpOptions, validateDownOptions, validateUpOptions } from './migrator-options.js'
import type { MigrateResult } from './migrator-results.js'
import { AbortedError } from './run-errors.js'
import { stopSignalOf } from './stop-signal.js'

export interface FleetResult<Target extends FleetTarget, Result> {
  readonly done: number
  readonly failed: number
  readonly unreachable: number
  readonly cancelled: number
  /** Every target that did not end `done`, in the order they ended: what a resumed run takes. */
  readonly failures: readonly TargetOutcome<Target, Result>[]
  /**
   * Why the fleet stopped before taking every target; undefined when it took them all, also when
   * the signal came after the last one started (a target it stopped is counted `cancelled`).
   */
  readonly stopped: FleetStopReason | undefined
  readonly durationMs: number
}

/**
 * What a fleet does on each target, with that target's Migrator, exactly as a single run would.
 * `run` holds the fleet's `signal` and `cancelSignal`: pass it to `up` or `down` so that
 * stopping the fleet stops the target's run too (`migrator.up({ ...run, to })`), and its
 * `cancelSignal` to a read (`migrator.overview({ cancelSignal: run.cancelSignal })`).
 */
export type FleetWork<Target extends FleetTarget, Result> = (migrator: Migrator, target: Target, run: RunOptions) => Promise<Result>

export interface MigrateFleetOptions<Target extends FleetTarget> extends FleetOptions<Target, MigrateResult> {
  /** Default `up`. */
  readonly direction?: 'up' | 'down'
  /** As `up({ to })` or `down({ to })` on each target. A down needs it (or `all`): every target ends at this version. */
  readonly to?: number
  /** As `up({ step })` on each target. */
  readonly step?: number
  /** As `down({ all })` on each target. */
  readonly all?: boolean
}

/**
 * Applies (or reverts) migrations on every target of a fleet: each target with its own
 * Migrator, lock and history, at most `concurrency` at once. For an application that migrates
 * its tenants at start-up:
 *
 * ```ts
 * const result = await migrateFleet({
 *   targets: tenants.map((tenant) => ({ id: tenant.id, file: tenant.file })),
 *   driver: (tenant) => sqliteDriver({ filename: tenant.file }),
 *   source: fromDirectory('migrations'),
 *   onFailure: 'continue',
 *   signal,
 *   onEvent: (event) => event.type === 'target-finished' && log(event.outcome),
 * })
 * ```
 *
 * Options and every migration's name are checked before the first target; a problem shared by
 * every target (a malformed file, an unknown `to`) stops the fleet and is thrown.
 */
export async function migrateFleet<Target extends FleetTarget>(
  options: MigrateFleetOptions<Target>,
): Promise<FleetResult<Target, MigrateResult>> {
  const { direction = 'up', to, step, all } = options
  if (direction === 'up') {
    if (all !== undefined) throw new InvalidOptionsError('all is an option of down only.')
    validateUpOptions({ to, step })
  } else if (direction === 'down') {
    validateDownOptions({ to, step, all })
    if (to === undefined && all !== true) {
      throw new InvalidOptionsError(
        "A fleet's down needs to (or all): with step, or neither, each target reverts its own newest migrations, so a target " +
          'that an up did not reach would lose the release before it. Pass to: the version every target should end at.',
      )
    }
  } else {
    throw new InvalidOptionsError(`direction must be "up" or "down", not ${JSON.stringify(direction)}.`)
  }
  return runFleet(options, (migrator, _target, run) => {
    const given: UpOptions & DownOptions = { ...run, to, step, all }
    return direction === 'up' ? migrator.up(given) : migrator.down(given)
  })
}

/**
 * Runs `work` on every target of a fleet (`status`, `validate`, anything a Migrator does), with
 * the same concurrency, caps, canary, retries, shard and cancellation as {@link migrateFleet}.
 */
export async function runFleet<Target extends FleetTarget, Result>(
  options: FleetOptions<Target, Result>,
  work: FleetWork<Target, Result>,
): Promise<FleetResult<Target, Result>> {
  const settings = resolveFleetOptions(options)
  const started = monotonicMs()
  // Listed and checked against mig.sum once: every target runs the same migrations, parsed once.
  const migrations = await listMigrations(options)
  const repeatables = await listRepeatables(options)
  const source: MigrationSource = { list: async () => [...migrations], listRepeatables: async () => [...repeatables] }
  const run = new FleetRun(options, settings, source, work)
  await run.all(streamTargets(options.targets, settings.shard))
  return run.result(monotonicMs() - started)
}

interface Entry<Target> {
  readonly target: Target
  startedAt: number
  attempt: number
  lastError: Error | undefined
}

/** The state of one fleet run: counts, failures, why it stopped. */
class FleetRun<Target extends FleetTarget, Result> {
  private readonly counts = { done: 0, failed: 0, unreachable: 0, cancelled: 0 }
  private readonly failures: TargetOutcome<Target, Result>[] = []
  private stopped: FleetStopReason | undefined
  private inCanary = false
  /** A problem every target shares; thrown once the running targets finish. */
  private fleetError: unknown

  constructor(
    private readonly options: FleetOptions<Target, Result>,
    private readonly settings: FleetSettings,
    private readonly source: MigrationSource,
    private readonly work: FleetWork<Target, Result>,
  ) {}

  async all(targets: AsyncIterator<Target>): Promise<void> {
    const signal = stopSignalOf(this.options.signal, this.options.cancelSignal)
    const onAbort = () => this.stop('aborted')
    if (signal?.aborted) onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    const entries = mapIterator(targets, (target): Entry<Target> => ({ target, startedAt: 0, attempt: 0, lastError: undefined }))
    const scheduling = {
      concurrency: this.settings.concurrency,
      perServer: this.settings.perServer,
      serverOf: (entry: Entry<Target>) => entry.target.server,
      stopping: () => this.stopped !== undefined,
      signal,
      work: (entry: Entry<Target>) => this.attempt(entry),
      abandon: (entry: Entry<Target>) => this.finishUnsuccessfully(entry, 'unreachable', entry.lastError as Error),
    }
    try {
      let canaryStartedAll = true
      if (this.settings.canary > 0) {
        this.inCanary = true
        canaryStartedAll = (await schedule(take(entries, this.settings.canary), scheduling)).startedAllPulled
        this.inCanary = false
      }
      const rest = await schedule(entries, scheduling)
      // A stop as the last targets ran stopped nothing: every target was taken. After a signal the
      // list is not read again (it may wait for its next line): only what the scheduler saw counts.
      const startedAll = canaryStartedAll && rest.startedAllPulled
      if (startedAll && this.stopped === 'aborted' && rest.sourceUsedUp) this.stopped = undefined
      if (startedAll && (this.stopped === 'failure' || this.stopped === 'canary') && (await isExhausted(entries))) {
        this.stopped = undefined
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      // A stream stopped while it waits for its next target (standard input, a slow query) closes
      // only once that target comes: an aborted fleet does not wait for it.
      const closing = targets.return?.()
      if (signal?.aborted) closing?.catch(() => {})
      else await closing
    }
    if (this.fleetError !== undefined) throw this.fleetError
  }

  result(durationMs: number): FleetResult<Target, Result> {
    return { ...this.counts, failures: this.failures, stopped: this.stopped, durationMs: Math.round(durationMs) }
  }

  private async attempt(entry: Entry<Target>): Promise<number | undefined> {
    entry.attempt++
    if (entry.attempt === 1) entry.startedAt = monotonicMs()
    this.emit({ type: 'target-started', target: entry.target, attempt: entry.attempt })
    let driver: Driver | undefined
    try {
      driver = await this.options.driver(entry.target)
      const { table, schema, allowOutOfOrder, lockWaitMs, lockTimeoutMs, transactionMode, appliedBy, placeholders } = this.options
      const migrator = new Migrator({
        driver,
        source: this.source,
        table,
        schema: entry.target.schema ?? schema,
        allowOutOfOrder,
        lockWaitMs,
        lockTimeoutMs,
        transactionMode,
        appliedBy,
        placeholders,
      })
      migrator.on('warning', ({ migration, message }) => this.emit({ type: 'target-warning', target: entry.target, migration, message }))
      const { signal, cancelSignal } = this.options
      const result = await this.work(migrator, entry.target, { signal, cancelSignal })
      this.finish({ target: entry.target, state: 'done', result, attempts: entry.attempt, durationMs: this.elapsed(entry) })
      return undefined
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught))
      if (error instanceof AbortedError) return this.finishUnsuccessfully(entry, 'cancelled', error)
      if (driver !== undefined && isFleetWide(error)) {
        this.fleetError ??= error
        return this.finishUnsuccessfully(entry, 'failed', error)
      }
      if (!(await isUnreachable(driver, error))) return this.finishUnsuccessfully(entry, 'failed', error)
      if (entry.attempt > this.settings.retries || this.stopped !== undefined) return this.finishUnsuccessfully(entry, 'unreachable', error)
      const delayMs = Math.min(this.settings.retryDelayMs * 2 ** (entry.attempt - 1), 30_000)
      entry.lastError = error
      this.emit({ type: 'target-retrying', target: entry.target, attempt: entry.attempt, delayMs, error })
      return delayMs
    }
  }

  private finishUnsuccessfully(entry: Entry<Target>, state: 'failed' | 'unreachable' | 'cancelled', error: Error): undefined {
    this.finish({ target: entry.target, state, error, attempts: entry.attempt, durationMs: this.elapsed(entry) })
    return undefined
  }

  private finish(outcome: TargetOutcome<Target, Result>): void {
    this.counts[outcome.state]++
    if (outcome.state !== 'done') this.failures.push(outcome)
    this.emit({ type: 'target-finished', outcome })
    if (outcome.state === 'failed' || outcome.state === 'unreachable') {
      if (this.fleetError !== undefined) this.stop('failure')
      else if (this.inCanary) this.stop('canary')
      else if (this.settings.onFailure === 'stop') this.stop('failure')
    }
  }

  private stop(reason: FleetStopReason): void {
    if (this.stopped !== undefined) return
    this.stopped = reason
    this.emit({ type: 'fleet-stopping', reason })
  }

  private emit(event: FleetEvent<Target, Result>): void {
    this.options.onEvent?.(event)
  }

  private elapsed(entry: Entry<Target>): number {
    return Math.round(monotonicMs() - entry.startedAt)
  }
}

/** Problems with the shared files or options: every target would fail the same way. */
function isFleetWide(error: Error): boolean {
  return error instanceof InvalidOptionsError || error instanceof InvalidMigrationError || error instanceof UnknownVersionError
}

async function* streamTargets<Target extends FleetTarget>(
  targets: Iterable<Target> | AsyncIterable<Target>,
  shard: FleetShard | undefined,
): AsyncGenerator<Target, void, undefined> {
  // An array's ids were checked before the fleet started (resolveFleetOptions).
  const seen = Array.isArray(targets) ? undefined : new Set<string>()
  for await (const target of targets) {
    if (seen) checkTargetId(target, seen)
    if (shard === undefined || isInShard(target.id, shard)) yield target
  }
}

function mapIterator<From, To>(iterator: AsyncIterator<From>, map: (value: From) => To): AsyncIterator<To> {
  return {
    next: async () => {
      const next = await iterator.next()
      return next.done ? { done: true, value: undefined } : { done: false, value: map(next.value) }
    },
  }
}

/** Whether `iterator` has no value left; reads one when it has. A list it cannot read counts as not exhausted. */
async function isExhausted(iterator: AsyncIterator<unknown>): Promise<boolean> {
  try {
    return (await iterator.next()).done === true
  } catch {
    return false
  }
}

/** The next `count` values of `iterator`, and not one more. */
function take<Value>(iterator: AsyncIterator<Value>, count: number): AsyncIterator<Value> {
  let taken = 0
  return { next: async () => (taken++ < count ? iterator.next() : { done: true, value: undefined }) }
}
