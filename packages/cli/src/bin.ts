import { constants } from 'node:os'
import { runCli } from './run-cli.js'

/**
 * The first SIGINT, SIGTERM or SIGHUP stops the run once the migration under way is done (the
 * lock is released, the exit code is 128 + the signal's number); the second cancels the running
 * statement on the server and rolls it back; the third exits at once.
 */
const stop = new AbortController()
const cancel = new AbortController()
const onSignal = (signal: NodeJS.Signals) => {
  if (!stop.signal.aborted) {
    process.stderr.write(
      `\nReceived ${signal}: stopping once the migration under way is done, then releasing the lock. Send it again to cancel that migration (it is rolled back).\n`,
    )
    stop.abort({ signal })
  } else if (!cancel.signal.aborted) {
    process.stderr.write(
      `\nReceived ${signal} again: cancelling the running statement and rolling back. Send it once more to exit at once.\n`,
    )
    cancel.abort({ signal })
  } else {
    process.exit(128 + (constants.signals[signal] ?? 2))
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)

const exitCode = await runCli({
  argv: process.argv.slice(2),
  environment: process.env,
  workingDirectory: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  signal: stop.signal,
  cancelSignal: cancel.signal,
})

// Exit once the output is flushed, rather than waiting for a client library's idle timers.
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)))
