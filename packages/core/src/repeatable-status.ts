import type { History } from './history-check.js'
import type { RepeatableStatus } from './migrator-results.js'
import type { RepeatableReruns } from './repeatable-reruns.js'

/** Every repeatable migration known to the files or to history, in the order they run. */
export function repeatableStatuses(history: History, reruns: RepeatableReruns): RepeatableStatus[] {
  return history.repeatables.map(({ name, file, state, record }) => ({
    name,
    file,
    state,
    appliedAt: record?.appliedAt,
    executionMs: record?.executionMs,
    appliedBy: record?.appliedBy,
    ...(reruns.has(name) && { runsAgain: reruns.get(name) }),
  }))
}
