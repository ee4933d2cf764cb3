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

  it('once the fleet is stopping, says what it waits for instead of how long the rest would take', async () => {
    const progress = new FleetProgress(output).start(async () => 10)
    try {
      await new Promise((resolve) => setImmediate(resolve))
      const started = (id: string): FleetEvent<FleetTarget, unknown> => ({ type: 'target-started', target: { id }, attempt: 1 })
      for (const event of [...finished('a', 'done'), started('b'), started('c')]) progress.on(event)
      expect(progress.line()).toMatch(/^fleet: 1 done, 2 running, 0 failed, 7 left · [\d.]+\/s · about .+ left$/)
      progress.on({ type: 'fleet-stopping', reason: 'aborted' })
      expect(progress.line()).toMatch(/^fleet: 1 done, 2 running, 0 failed · [\d.]+\/s · stopping: waiting for 2 running$/)
      for (const event of finished('b', 'cancelled').slice(1)) progress.on(event)
      expect(progress.line()).toMatch(/^fleet: 1 done, 1 running, 0 failed, 1 cancelled · [\d.]+\/s · stopping: waiting for 1 running$/)
    } finally {
      progress.stop()
    }
  })

  it('says nothing of cancelled targets while there are none', () => {
    const progress = new FleetProgress(output)
    for (const event of [...finished('a', 'done'), ...finished('b', 'failed')]) progress.on(event)
    expect(progress.line()).toMatch(/^fleet: 1 done, 0 running, 1 failed · /)
  })
})
