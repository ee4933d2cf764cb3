import { setTimeout as sleep } from 'node:timers/promises'
import { AbortedError, redactUrl } from '@mig/core'
import { WaitTimeoutError } from '../cli-error.js'
import type { Command } from '../command-context.js'
import { integerFlag } from '../command-line.js'
import { databaseLifecycle } from '../dialect-registry.js'
import { formatDuration } from '../format.js'
import { resolveSettings } from '../settings.js'
import { requireUrl } from '../with-migrator.js'

const DEFAULT_TIMEOUT_SECONDS = 60
const RETRY_EVERY_MS = 1_000
/** How often a wait says it is still waiting, and why. */
const REPORT_EVERY_MS = 5_000
/** The longest one connection attempt may take, so that a silent host is retried rather than waited on. */
const LONGEST_ATTEMPT_MS = 5_000
const SHORTEST_ATTEMPT_MS = 1_000

/**
 * Tries to reach the database every second until it answers or `--timeout` passes. A server
 * that answers but lacks the database counts as ready (`mig db create` makes the database);
 * failures that waiting cannot cure, such as a wrong password, end the wait at once.
 */
export const waitCommand: Command = async (context) => {
  const { output, signal } = context
  const timeoutSeconds = integerFlag(context.flags, 'timeout', { minimum: 1 }) ?? DEFAULT_TIMEOUT_SECONDS
  const settings = await resolveSettings(context.flags, context.environment, context.workingDirectory)
  const url = requireUrl(settings)
  output.redactor.addUrl(url)
  const database = redactUrl(url)
  const lifecycle = await databaseLifecycle(url)
  const started = Date.now()
  const deadline = started + timeoutSeconds * 1000
  let reportedAt = Number.NEGATIVE_INFINITY
  let lastError: string | undefined
  for (let attempts = 1; ; attempts++) {
    if (signal.aborted) throw new AbortedError({ completed: [], reason: signal.reason })
    if (lastError !== undefined && Date.now() >= deadline) {
      output.clearProgress()
      throw new WaitTimeoutError({ database, timeoutSeconds, lastError })
    }
    // At least a second, so that the last attempt can still tell why it failed.
    const connectTimeoutMs = Math.max(SHORTEST_ATTEMPT_MS, Math.min(LONGEST_ATTEMPT_MS, deadline - Date.now()))
    const probe = await lifecycle.probeDatabase(url, { baseDirectory: settings.urlBaseDirectory, connectTimeoutMs })
    const waitedMs = Date.now() - started
    if (probe.state !== 'unreachable') {
      output.clearProgress()
      const exists = probe.state === 'ready'
      output.line(
        exists
          ? `${database} accepts connections (after ${formatDuration(waitedMs)}).`
          : `${database} is reachable, but the database does not exist yet: mig db create creates it.`,
      )
      return { document: { database, ready: true, databaseExists: exists, waitedMs, attempts } }
    }
    lastError = probe.reason
    if (Date.now() - reportedAt >= REPORT_EVERY_MS) {
      output.progress(`Waiting for ${database} (${formatDuration(waitedMs)} of ${timeoutSeconds} s): ${probe.reason}`)
      reportedAt = Date.now()
    }
    await sleep(Math.max(0, Math.min(RETRY_EVERY_MS, deadline - Date.now())), undefined, { signal }).catch(() => {
      throw new AbortedError({ completed: [], reason: signal.reason })
    })
  }
}
