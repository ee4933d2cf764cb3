import { constants } from 'node:os'
import { findNamedCommand } from './command-line.js'
import { reserveStdoutForJson } from './json-stdout.js'
import { migrationUnderWay } from './migration-under-way.js'
import { runCli } from './run-cli.js'

const json = process.argv.includes('--json')
const reserved = json ? reserveStdoutForJson(process.stdout, process.stderr) : undefined
const stdout = reserved ?? process.stdout

/**
 * The first SIGINT, SIGTERM or SIGHUP stops the run once the migration under way is done (the
 * lock is released, the exit code is 128 + the signal's number); the second cancels the running
 * statement on the server and rolls it back; the third exits at once.
 */
const stop = new AbortController()
const cancel = new AbortController()
const onSignal = (signal: NodeJS.Signals) => {
  const migrating = runsMigrations(process.argv.slice(2))
  if (!stop.signal.aborted) {
    process.stderr.write(
      migrating
        ? `\nReceived ${signal}: stopping once the migration under way is done, then releasing the lock. Send it again to cancel that migration (it is rolled back; one outside a transaction may be left part-way and is recorded as failed).\n`
        : `\nReceived ${signal}: stopping once the work under way is done. Send it again to cancel it now.\n`,
    )
    stop.abort({ signal })
  } else if (!cancel.signal.aborted) {
    process.stderr.write(
      `\nReceived ${signal} again: cancelling the running statement${migrating ? ' and rolling back' : ''}. Send it once more to exit at once.\n`,
    )
    cancel.abort({ signal })
  } else {
    // Quitting at once: a --json caller still gets its one document.
    if (reserved && !reserved.written) reserved.write(`${JSON.stringify(QUIT_AT_ONCE, null, 2)}\n`)
    process.exit(128 + (constants.signals[signal] ?? 2))
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)

/** Whether the command runs migrations, which the signal messages then speak of. */
function runsMigrations(argv: readonly string[]): boolean {
  try {
    return findNamedCommand(argv).command?.runsMigrations === true
  } catch {
    return false
  }
}

const QUIT_AT_ONCE = {
  ok: false,
  command: null,
  error: {
    code: 'MIG_ABORTED',
    message:
      'Interrupted three times: mig quit at once. A migration that was running in a transaction was rolled back by the database; one outside a transaction may be part-way, and mig status shows it as failed. The lock is freed when the connection closes; through PgBouncer or a proxy, where mig holds a lease instead, the next run waits until the lease runs out (lockLeaseMs, 30 s by default).',
  },
}

// A promise that nothing awaited failed, typically a code migration's context.run or
// context.query called without await. Exiting closes the connection, which rolls back its transaction.
process.on('unhandledRejection', (reason) => {
  quitUnexpectedly(
    `${reason instanceof Error ? reason.message : String(reason)}. Nothing awaited this failure, so mig stopped at once: ` +
      'a migration running in a transaction was rolled back by the database; run `mig status` to see where one outside a ' +
      'transaction stands. Check that the code migration awaits every context.run and context.query call.',
  )
})

// The run awaits something that nothing is left to settle: no socket, timer or file is open, so
// Node would exit with code 13 and no word. Typically a code migration awaiting a promise whose
// callback is never called. process.exit() does not emit beforeExit, so a finished run never gets here.
process.on('beforeExit', () => {
  const migration = migrationUnderWay()
  const which = migration ? `${migration.file}'s ${migration.direction}` : 'The run'
  quitUnexpectedly(
    `${which} waits for a promise that nothing will ever settle, so mig stopped: ` +
      'a migration running in a transaction was rolled back (nothing was recorded); run `mig status` to see where one outside a ' +
      'transaction stands. Check that the code migration resolves every promise it creates and awaits.',
  )
})

/** Reports what went wrong outside any command's own error handling, in mig's form (and as the one --json document), and exits. */
function quitUnexpectedly(message: string): never {
  if (reserved && !reserved.written)
    reserved.write(`${JSON.stringify({ ok: false, command: null, error: { code: 'MIG_UNEXPECTED', message } }, null, 2)}\n`)
  process.stderr.write(`Error MIG_UNEXPECTED: ${message}\n`)
  process.exit(1)
}

const exitCode = await runCli({
  argv: process.argv.slice(2),
  environment: process.env,
  workingDirectory: process.cwd(),
  stdout,
  stderr: process.stderr,
  signal: stop.signal,
  cancelSignal: cancel.signal,
})

// Exit once the output is flushed, rather than waiting for a client library's idle timers.
stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)))
