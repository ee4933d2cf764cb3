import { setTimeout as sleep } from 'node:timers/promises'
import { unlessAborted } from './stop-signal.js'

export interface SchedulerOptions<Entry> {
  /** Entries running at once. */
  readonly concurrency: number
  /** Entries running at once with the same server. */
  readonly perServer: number
  readonly serverOf: (entry: Entry) => string | undefined
  /** Asked before each start: once true, nothing more starts and the running entries finish. */
  readonly stopping: () => boolean
  /**
   * Stops the scheduler as `stopping` does, and wakes it from waiting for a retry or for the
   * source (standard input, a slow query): nothing waits for the next entry once it aborts.
   */
  readonly signal: AbortSignal | undefined
  /** Runs one entry and never throws; a number asks for the entry to run again after that many ms. */
  readonly work: (entry: Entry) => Promise<number | undefined>
  /** An entry that was waiting for its retry when the run stopped. */
  readonly abandon: (entry: Entry) => void
}

export interface ScheduleResult {
  /** Every entry pulled from the source was started (false when it stopped with some still waiting for their server). */
  readonly startedAllPulled: boolean
  /** The source had no entry left, and every entry was started. */
  readonly sourceUsedUp: boolean
}

/**
 * How many entries, pulled from the source while their server was full, wait for it. When as
 * many wait, the scheduler pulls no more until one starts: memory stays flat in the fleet's size.
 */
const WAITING_LIMIT = 256

/**
 * Runs entries from `source` with at most `concurrency` at once and `perServer` per server. A
 * retry does not hold a slot while it waits: the slot goes to the next entry, and a due retry
 * starts before anything new. While every slot is busy it reads one entry ahead, so that a stop
 * after the last entry started knows the source was used up.
 */
export async function schedule<Entry>(source: AsyncIterator<Entry>, options: SchedulerOptions<Entry>): Promise<ScheduleResult> {
  const running = new Set<Promise<void>>()
  const load = new Map<string, number>()
  const waiting: Entry[] = []
  const delayed: { entry: Entry; dueAt: number }[] = []
  let exhausted = false
  let pulling: Promise<void> | undefined

  const fits = (entry: Entry) => {
    const server = options.serverOf(entry)
    return server === undefined || (load.get(server) ?? 0) < options.perServer
  }
  const start = (entry: Entry) => {
    const server = options.serverOf(entry)
    if (server !== undefined) load.set(server, (load.get(server) ?? 0) + 1)
    const task: Promise<void> = options.work(entry).then((retryInMs) => {
      if (server !== undefined) load.set(server, (load.get(server) ?? 1) - 1)
      running.delete(task)
      if (retryInMs !== undefined) delayed.push({ entry, dueAt: Date.now() + retryInMs })
    })
    running.add(task)
  }
  /** Reads the next entry into `waiting`, or notes that the source is used up; one read at a time. */
  const pull = (): Promise<void> => {
    pulling ??= unlessAborted(source.next(), options.signal).then((pulled) => {
      pulling = undefined
      if (pulled?.done) exhausted = true
      else if (pulled !== undefined) waiting.push(pulled.value)
    })
    return pulling
  }
  const next = async (): Promise<Entry | undefined> => {
    const now = Date.now()
    const due = delayed.findIndex((item) => item.dueAt <= now && fits(item.entry))
    if (due >= 0) return delayed.splice(due, 1)[0]?.entry
    for (;;) {
      const ready = waiting.findIndex(fits)
      if (ready >= 0) return waiting.splice(ready, 1)[0]
      if (exhausted || waiting.length >= WAITING_LIMIT || options.signal?.aborted) return undefined
      await pull()
    }
  }

  try {
    const stopped = () => options.stopping() || options.signal?.aborted === true
    while (!stopped()) {
      const entry = running.size < options.concurrency ? await next() : undefined
      if (entry !== undefined) {
        start(entry)
        continue
      }
      if (stopped()) break
      if (exhausted && running.size === 0 && waiting.length === 0 && delayed.length === 0) break
      const firstDue = Math.min(...delayed.map((item) => item.dueAt))
      const wake = Number.isFinite(firstDue)
        ? [sleep(Math.max(0, firstDue - Date.now()), undefined, { signal: options.signal }).catch(() => {})]
        : []
      // A source that fails to read stops the run here, as it does when read for a free slot.
      const readAhead = exhausted || waiting.length > 0 ? [] : [pull()]
      await Promise.race([...running, ...wake, ...readAhead])
    }
    return { startedAllPulled: waiting.length === 0, sourceUsedUp: exhausted && waiting.length === 0 }
  } finally {
    while (running.size > 0) await Promise.all(running)
    for (const item of delayed.splice(0)) options.abandon(item.entry)
  }
}
