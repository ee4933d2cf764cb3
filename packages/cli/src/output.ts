import type { Redactor } from '@mig/core'
import type { Colours } from './colours.js'

export interface WritableText {
  write(text: string): unknown
  readonly isTTY?: boolean
}

export type OutputFormat = 'human' | 'json'

export interface OutputOptions {
  readonly format: OutputFormat
  readonly stdout: WritableText
  readonly stderr: WritableText
  /** Colours for stdout and for stderr: each stream is coloured only when it is a terminal. */
  readonly colours: Colours
  readonly errorColours: Colours
  readonly redactor: Redactor
}

/**
 * The only way the CLI writes. Human results go to stdout, diagnostics to stderr; with `--json`
 * stdout gets exactly one JSON document. Everything passes through the redactor first.
 */
export class Output {
  readonly format: OutputFormat
  readonly colours: Colours
  readonly errorColours: Colours
  readonly redactor: Redactor
  private readonly stdout: WritableText
  private readonly stderr: WritableText
  private progressShown = false
  private jsonLines = false
  /** Lines of the human result not yet written: see {@link line}. */
  private pendingLines: string[] = []

  constructor(options: OutputOptions) {
    this.format = options.format
    this.colours = options.colours
    this.errorColours = options.errorColours
    this.redactor = options.redactor
    this.stdout = options.stdout
    this.stderr = options.stderr
  }

  /** Whether stderr is a terminal, where a progress line can be rewritten in place. */
  get interactive(): boolean {
    return this.stderr.isTTY === true
  }

  /**
   * A line of the human result on stdout; nothing in JSON mode. Lines printed in one go (a
   * status table of thousands of rows) reach stdout as one write, once the code printing them
   * gives way; anything written to stderr first writes them, so the two stay in order.
   */
  line(text = ''): void {
    if (this.format === 'json') return
    this.clearProgress()
    if (this.pendingLines.push(`${this.redactor.redact(text)}\n`) === 1) queueMicrotask(() => this.flush())
  }

  /** Writes the lines {@link line} holds. */
  flush(): void {
    if (!this.pendingLines.length) return
    const text = this.pendingLines.join('')
    this.pendingLines = []
    this.stdout.write(text)
  }

  /** A diagnostic line on stderr (warnings, notes); printed in both formats. */
  note(text: string): void {
    this.clearProgress()
    this.flush()
    this.stderr.write(`${this.redactor.redact(text)}\n`)
  }

  /** A progress line: rewritten in place on a terminal, appended otherwise. */
  progress(text: string): void {
    this.flush()
    const redacted = this.redactor.redact(text)
    if (this.interactive) {
      this.stderr.write(`\r\u001b[2K${redacted}`)
      this.progressShown = true
    } else {
      this.stderr.write(`${redacted}\n`)
    }
  }

  clearProgress(): void {
    if (!this.progressShown) return
    this.stderr.write('\r\u001b[2K')
    this.progressShown = false
  }

  /** The one JSON document of a `--json` run; with JSON Lines, one of its lines. */
  json(document: Record<string, unknown>): void {
    this.clearProgress()
    this.flush()
    // A version beyond 2^53 is a bigint; JSON carries it as its digits.
    const json = JSON.stringify(
      this.redactor.redactValue(document),
      (_key, value) => (typeof value === 'bigint' ? value.toString() : value),
      this.jsonLines ? undefined : 2,
    )
    this.stdout.write(`${json}\n`)
  }

  /** Makes `--json` print JSON Lines: a fleet run prints one line per target as it ends, then its summary. */
  useJsonLines(): void {
    this.jsonLines = true
  }
}
