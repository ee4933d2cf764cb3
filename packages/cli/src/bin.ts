import { runCli } from './run-cli.js'

const interrupt = new AbortController()
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130)
  process.stderr.write(
    '\nStopping as soon as it is safe: a migration under way finishes first, then the lock is released. Press Ctrl-C again to quit at once.\n',
  )
  interrupt.abort()
})

const exitCode = await runCli({
  argv: process.argv.slice(2),
  environment: process.env,
  workingDirectory: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
})

// Exit once the output is flushed, rather than waiting for a client library's idle timers.
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)))
