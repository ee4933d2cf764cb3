import type { FleetEvent, FleetResult, FleetTarget, Redactor, TargetOutcome, TargetState } from '@mig/core'
import { errorToJson } from './error-report.js'
import { maskedPasswordNote, type ResumeCommand } from './fleet-resume.js'
import { formatCount } from './fleet-target-list.js'
import type { CliTarget } from './fleet-targets.js'
import { FleetWarnings, type TargetWarning, warningText } from './fleet-warnings.js'
import { formatDuration, formatTable, visibleLength } from './format.js'
import type { Output } from './output.js'

/** What one target's run gives the report: its JSON fields, and its human line when there is one worth printing. */
export interface TargetReport {
  readonly json: Record<string, unknown>
  /** Undefined for a target with nothing to say (already up to date). */
  readonly line: string | undefined
}

/** How many failed targets the human summary lists; `--json` has every one. */
const LISTED_FAILURES = 20

const STOPPED: Record<NonNullable<FleetResult<FleetTarget, unknown>['stopped']>, string> = {
  failure: 'Stopped after a target failed: no target was started after it (--keep-going takes every target).',
  canary: 'A canary target failed: the rest of the fleet was not started.',
  aborted:
    'Interrupted: no target was started after that; running targets stopped between migrations, or, after a second signal, at once with their migration rolled back.',
}

function signalledAfterEveryStart(cancelled: number): string {
  const how =
    cancelled > 0
      ? 'the cancelled targets stopped between migrations, or, after a second signal, at once with their migration rolled back.'
      : 'each ran to its end.'
  return `Interrupted after every target had started: ${how}`
}

/**
 * The per-target lines of a fleet run as targets end (in `--json`, one JSON line each), and the
 * summary at the end: counts, the failed targets, the warnings, and the command that resumes
 * them. A warning is printed on stderr, named by its target, the first time a target gives it;
 * the summary groups identical warnings of many targets. What a target reports is scrubbed of
 * its own URL's password ({@link Redactor.forUrl}); the output's redactor never learns it, or it
 * would scan every string for every target's password.
 */
export class FleetReport {
  private readonly warnings = new FleetWarnings()

  constructor(private readonly output: Output) {}

  on(event: FleetEvent<CliTarget, TargetReport>): void {
    if (event.type === 'target-warning') {
      const warning = { file: event.migration?.file ?? null, message: this.redactorOf(event.target).redact(event.message) }
      if (this.warnings.add(event.target.id, warning)) {
        this.output.note(this.output.errorColours.yellow(`Warning: ${event.target.id}: ${warningText(warning)}`))
      }
    }
    if (event.type === 'target-retrying') {
      const { red } = this.output.errorColours
      const message = this.redactorOf(event.target).redact(firstLine(event.error.message)).replace(/\.$/, '')
      this.output.note(
        `${red('unreachable')} ${event.target.id} (attempt ${event.attempt}): ${message}; retrying in ${formatDuration(event.delayMs)}`,
      )
    }
    if (event.type !== 'target-finished') return
    const outcome = event.outcome
    const warnings = this.warnings.finish(outcome.target.id)
    if (this.output.format === 'json') {
      this.output.json(this.redactorOf(outcome.target).redactValue(outcomeToJson(outcome, warnings)))
      return
    }
    const { green, red, yellow, dim } = this.output.colours
    if (outcome.state === 'done') {
      if (outcome.result.line)
        this.output.line(`${green('done')}  ${outcome.target.id}: ${outcome.result.line} ${dim(`(${formatDuration(outcome.durationMs)})`)}`)
      return
    }
    const colour = outcome.state === 'cancelled' ? yellow : red
    this.output.line(`${colour(outcome.state)}  ${outcome.target.id}: ${this.errorLine(outcome)}`)
  }

  /** Prints the summary and returns its JSON fields; `signalled` when a stop signal came. */
  summary(result: FleetResult<CliTarget, TargetReport>, resume: ResumeCommand | undefined, signalled: boolean): Record<string, unknown> {
    const { bold, dim, red, yellow } = this.output.colours
    const total = result.done + result.failed + result.unreachable + result.cancelled
    const seconds = result.durationMs / 1000
    this.output.line()
    this.output.line(
      bold(`Fleet: ${formatCount(total)} ${total === 1 ? 'target' : 'targets'} in ${formatDuration(result.durationMs)}`) +
        dim(seconds > 0 ? ` (${(total / seconds).toFixed(1)} targets/s)` : ''),
    )
    const rows = (['done', 'failed', 'unreachable', 'cancelled'] as const)
      .filter((state) => state === 'done' || result[state] > 0)
      .map((state) => [`  ${state}`, formatCount(result[state])])
    for (const line of formatTable(rows, visibleLength)) this.output.line(line)
    if (result.stopped) this.output.line(red(STOPPED[result.stopped]))
    else if (signalled) this.output.line((result.cancelled > 0 ? red : yellow)(signalledAfterEveryStart(result.cancelled)))
    if (result.failures.length > 0) {
      this.output.line()
      const listed = result.failures.slice(0, LISTED_FAILURES)
      const failureRows = listed.map((failure) => [`  ${failure.target.id}`, failure.state, this.errorLine(failure)])
      for (const line of formatTable(failureRows, visibleLength)) this.output.line(line)
      if (result.failures.length > listed.length)
        this.output.line(dim(`  … and ${result.failures.length - listed.length} more (--json lists every one)`))
    }
    const warningLines = this.warnings.lines()
    if (warningLines.length > 0) this.output.line()
    for (const line of warningLines) this.output.line(line)
    if (resume) {
      this.output.line()
      this.output.line(resume.command === undefined ? (resume.withoutCommand ?? '') : `Resume with: ${resume.command}`)
      const note = maskedPasswordNote(resume)
      if (note) this.output.line(note)
    }
    return {
      fleet: {
        done: result.done,
        failed: result.failed,
        unreachable: result.unreachable,
        cancelled: result.cancelled,
        stopped: result.stopped ?? null,
        durationMs: result.durationMs,
        failures: result.failures.map((failure) => ({ target: failure.target.id, state: failure.state })),
        warnings: this.warnings.toJson(),
        resume: resume?.command ?? null,
        resumeMasked: resume?.masked ?? [],
      },
    }
  }

  private errorLine(outcome: TargetOutcome<CliTarget, TargetReport>): string {
    return outcome.state === 'done' ? '' : this.redactorOf(outcome.target).redact(firstLine(outcome.error.message))
  }

  private redactorOf(target: CliTarget): Redactor {
    return this.output.redactor.forUrl(target.url)
  }
}

/** A failed or unreachable target makes the run exit 1; a cancelled one only did not finish. */
export function isFailure(state: TargetState): boolean {
  return state === 'failed' || state === 'unreachable'
}

function outcomeToJson(outcome: TargetOutcome<FleetTarget, TargetReport>, warnings: readonly TargetWarning[]): Record<string, unknown> {
  // The target's whole span (opening it, retries, the lock wait): a single run's own durationMs is the run's.
  const common = { target: outcome.target.id, state: outcome.state, attempts: outcome.attempts, targetDurationMs: outcome.durationMs }
  const fields = outcome.state === 'done' ? outcome.result.json : { error: errorToJson(outcome.error) }
  return { ...common, ...fields, warnings }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? ''
}
