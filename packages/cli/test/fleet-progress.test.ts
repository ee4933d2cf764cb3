import { AbortedError, type FleetEvent, type FleetTarget, Redactor } from '@mig/core'
import { describe, expect, it } from 'vitest'
import { NO_COLOURS } from '../src/colours.ts'
import { FleetProgress } from '../src/fleet-progress.ts'
import { Output } from '../src/output.ts'

const output = new Output({
  format: 'human',
  stdout: { write: () => true },
  stderr: { write: () => true },
  colours: NO_COLOURS,
  errorColours: NO_COLOURS,
  redactor: new Redactor(),
})

function finished(id: string, state: 'done' | 'failed' | 'unreachable' | 'cancelled'): FleetEvent<FleetTarget, unknown>[] {
  const target = { id }
  const common = { target, attempts: 1, durationMs: 5 }
  const outcome =
    state === 'done'
      ? { ...common, state, result: undefined }
      : state === 'cancelled'
        ? { ...common, state, error: new AbortedError({ completed: [] }) }
        : { ...common, state, error: new Error('connection refused') }
  return [
    { type: 'target-started', target, attempt: 1 },
    { type: 'target-finished', outcome },
  ]
}

describe('the live line of a fleet run', () => {
  it('counts a cancelled target as cancelled, never as failed', () => {
    const progress = new FleetProgress(output)
    const events = [...finished('a', 'done'), ...finished('b', 'cancelled'), ...finished('c', 'cancelled'), ...finished('d', 'unreachable')]
    for (const event of events) progress.on(event)
    expect(progress.line()).toMatch(/^fleet: 1 done, 0 running, 1 failed, 2 cancelled · /)
  })

  it('says nothing of cancelled targets while there are none', () => {
    const progress = new FleetProgress(output)
    for (const event of [...finished('a', 'done'), ...finished('b', 'failed')]) progress.on(event)
    expect(progress.line()).toMatch(/^fleet: 1 done, 0 running, 1 failed · /)
  })
})
