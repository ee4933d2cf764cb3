import type { FleetEvent, FleetTarget } from '@mig/core'
import { isFailure } from './fleet-report.js'
import { formatDuration } from './format.js'
import type { Output } from './output.js'

const INTERACTIVE_INTERVAL_MS = 500
const LOG_INTERVAL_MS = 30_000

/**
 * The live line of a fleet run on stderr: done, running, failed (or unreachable), cancelled once
 * any is, and left, the rate, and the time left. Rewritten in place on a terminal, every 30 seconds in a CI log; with `--json` only on a
 * terminal. "Left" and the time left appear once the targets are counted; once the fleet is
 * stopping (Ctrl-C, a failure, a canary) no target starts, so the line says what it waits for instead.
 */
export class FleetProgress {
  private readonly started = performance.now()
  private done = 0
  private failed = 0
  private cancelled = 0
  private running = 0
  private stopping = false
  private total: number | undefined
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly output: Output) {}

  /** Starts the line; `count` is asked for the number of targets, and may not know it. */
  start(count: () => Promise<number | undefined>): this {
    if (this.output.format === 'json' && !this.output.interactive) return this
    this.timer = setInterval(() => this.output.progress(this.output.errorColours.dim(this.line())), this.interval)
    this.timer.unref()
    count().then(
      (total) => {
        this.total = total
      },
      () => {},
    )
    return this
  }

  on(event: FleetEvent<FleetTarget, unknown>): void {
    if (event.type === 'fleet-stopping') this.stopping = true
    else if (event.type === 'target-started') this.running++
    else if (event.type === 'target-retrying') this.running--
    else if (event.type === 'target-finished') {
      this.running--
      if (event.outcome.state === 'done') this.done++
      else if (isFailure(event.outcome.state)) this.failed++
      else this.cancelled++
    }
  }

  stop(): void {
    clearInterval(this.timer)
    this.output.clearProgress()
  }

  /** `412 done, 4 running, 1 failed, 583 left · 81/s · about 7.2 s left`, or `… · stopping: waiting for 4 running` */
  line(): string {
    const finished = this.done + this.failed + this.cancelled
    const seconds = (performance.now() - this.started) / 1000
    const rate = seconds > 0 ? finished / seconds : 0
    const parts = [`${this.done} done`, `${this.running} running`, `${this.failed} failed`]
    if (this.cancelled > 0) parts.push(`${this.cancelled} cancelled`)
    const left = this.total === undefined || this.stopping ? undefined : Math.max(0, this.total - finished - this.running)
    if (left !== undefined) parts.push(`${left} left`)
    let line = `fleet: ${parts.join(', ')} · ${rate.toFixed(rate < 10 ? 1 : 0)}/s`
    if (this.stopping) line += ` · stopping: waiting for ${this.running} running`
    else if (left !== undefined && rate > 0) line += ` · about ${formatDuration(((left + this.running) / rate) * 1000)} left`
    return line
  }

  private get interval(): number {
    return this.output.interactive ? INTERACTIVE_INTERVAL_MS : LOG_INTERVAL_MS
  }
}
