import type { Migrator } from '@mig/core'
import { formatDuration } from './format.js'
import type { Output } from './output.js'

/** How long a migration or a lock wait runs before progress appears, and how often it repeats. */
const INTERACTIVE_DELAY_MS = 2_000
const INTERACTIVE_INTERVAL_MS = 1_000
const LOG_DELAY_MS = 10_000
const LOG_INTERVAL_MS = 30_000

interface Activity {
  readonly describe: (elapsedMs: number) => string
  readonly started: number
  delay: ReturnType<typeof setTimeout> | undefined
  interval: ReturnType<typeof setInterval> | undefined
}

/**
 * Prints one line per finished migration on stdout, and, while a migration or a lock wait takes
 * long, a "still running" line on stderr: rewritten in place on a terminal, every 30 seconds in
 * a CI log. With `--json` only a terminal gets progress, so stdout stays one JSON document.
 * With `verbose`, each piece of migration SQL is printed on stderr as it is sent.
 */
export class ProgressReporter {
  private activity: Activity | undefined
  private readonly unsubscribes: (() => void)[] = []

  constructor(
    private readonly migrator: Migrator,
    private readonly output: Output,
    private readonly options: { readonly verbose: boolean } = { verbose: false },
  ) {}

  attach(): this {
    const migrator = this.migrator
    const output = this.output
    const { green, red, yellow, dim } = output.colours
    this.unsubscribes.push(
      migrator.on('lock-waiting', (event) => {
        if (this.activity) return
        const holder = event.holder ? ` (${event.description})` : ''
        output.note(output.errorColours.yellow(`Waiting for the migration lock${holder}…`))
        this.start((elapsed) => `Still waiting for the migration lock${holder}: ${formatSeconds(elapsed)}`)
      }),
      migrator.on('lock-acquired', () => this.stop()),
      migrator.on('migrating', (event) => this.start((elapsed) => `Still applying ${event.migration.file}: ${formatSeconds(elapsed)}`)),
      migrator.on('reverting', (event) => this.start((elapsed) => `Still reverting ${event.migration.file}: ${formatSeconds(elapsed)}`)),
      migrator.on('migrated', (event) => {
        this.stop()
        output.line(`${green('applied ')}  ${event.migration.file} ${dim(`(${formatDuration(event.durationMs)}${pending(event)})`)}`)
      }),
      migrator.on('reverted', (event) => {
        this.stop()
        output.line(`${green('reverted')}  ${event.migration.file} ${dim(`(${formatDuration(event.durationMs)}${pending(event)})`)}`)
      }),
      migrator.on('failed', (event) => {
        this.stop()
        output.line(`${red('failed  ')}  ${event.migration.file}`)
      }),
      migrator.on('retrying', (event) => {
        this.stop()
        output.note(
          output.errorColours.yellow(
            `${event.migration.file} waited too long for a table lock and was rolled back; attempt ${event.attempt} of ${event.attempts} in ${formatDuration(event.delayMs)}`,
          ),
        )
      }),
      migrator.on('warning', (event) => {
        output.note(output.errorColours.yellow(`Warning: ${event.migration ? `${event.migration.file}: ` : ''}${event.message}`))
      }),
      migrator.on('baselined', (event) => output.line(`${yellow('baselined')}  ${event.migration.file}`)),
    )
    if (this.options.verbose) {
      this.unsubscribes.push(
        migrator.on('executing', (event) => {
          const sql = event.sql.trim().replace(/\n/g, '\n    ')
          output.note(output.errorColours.dim(`  ${event.migration.file}:\n    ${sql}`))
        }),
      )
    }
    return this
  }

  detach(): void {
    this.stop()
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe()
  }

  private start(describe: (elapsedMs: number) => string): void {
    this.stop()
    if (this.output.format === 'json' && !this.output.interactive) return
    const interactive = this.output.interactive
    const activity: Activity = { describe, started: Date.now(), delay: undefined, interval: undefined }
    const show = () => this.output.progress(this.output.errorColours.dim(describe(Date.now() - activity.started)))
    activity.delay = setTimeout(
      () => {
        show()
        activity.interval = setInterval(show, interactive ? INTERACTIVE_INTERVAL_MS : LOG_INTERVAL_MS)
        activity.interval.unref()
      },
      interactive ? INTERACTIVE_DELAY_MS : LOG_DELAY_MS,
    )
    activity.delay.unref()
    this.activity = activity
  }

  private stop(): void {
    if (!this.activity) return
    clearTimeout(this.activity.delay)
    clearInterval(this.activity.interval)
    this.activity = undefined
    this.output.clearProgress()
  }
}

/** In one transaction for the whole run, a finished migration is not kept until the run commits. */
function pending(event: { readonly committed: boolean }): string {
  return event.committed ? '' : ', commits with the run'
}

function formatSeconds(milliseconds: number): string {
  return `${Math.floor(milliseconds / 1000)}s`
}
