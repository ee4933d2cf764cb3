import { reserveStdoutForJson } from './json-stdout.js'
import { runCli } from './run-cli.js'

const json = process.argv.includes('--json')
const reserved = json ? reserveStdoutForJson(process.stdout, process.stderr) : undefined
const stdout = reserved ?? process.stdout
const interrupt = new AbortController()
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) {
    // Quitting at once: a --json caller still gets its one document.
    if (reserved && !reserved.written) reserved.write(`${JSON.stringify(INTERRUPTED_TWICE, null, 2)}\n`)
    process.exit(130)
  }
  process.stderr.write(
    '\nStopping as soon as it is safe: a migration under way finishes first, then the lock is released. Press Ctrl-C again to quit at once.\n',
  )
  interrupt.abort()
})

const INTERRUPTED_TWICE = {
  ok: false,
  command: null,
  error: {
    code: 'MIG_ABORTED',
    message:
      'Interrupted twice: mig quit at once. A migration that was running in a transaction was rolled back by the database; one outside a transaction may be part-way, and mig status shows it as failed. The lock is freed when the connection closes.',
  },
}

const exitCode = await runCli({
  argv: process.argv.slice(2),
  environment: process.env,
  workingDirectory: process.cwd(),
  stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
})

// Exit once the output is flushed, rather than waiting for a client library's idle timers.
stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)))
