import type { WritableText } from './output.js'

export interface JsonStdout extends WritableText {
  /** Whether the JSON document (or anything) has been written. */
  readonly written: boolean
  write(text: string, flushed?: () => void): unknown
}

/**
 * With `--json`, stdout carries exactly one JSON document. A code migration's `console.log` (or
 * anything else in the process that writes to stdout) is sent to stderr instead, and only the
 * writer returned here reaches the real stdout.
 */
export function reserveStdoutForJson(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream): JsonStdout {
  const write = stdout.write.bind(stdout)
  stdout.write = stderr.write.bind(stderr) as typeof stdout.write
  let written = false
  return {
    isTTY: stdout.isTTY,
    get written() {
      return written
    },
    write(text: string, flushed?: () => void) {
      if (text) written = true
      return flushed ? write(text, flushed) : write(text)
    },
  }
}
