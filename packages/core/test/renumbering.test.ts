import { describe, expect, it } from 'vitest'
import { RenumberRefusedError } from '../src/errors.js'
import type { HistoryRecord } from '../src/history-store.js'
import { planRenumbering } from '../src/renumbering.js'
import { migrationNamed } from './migration-fixture.js'

const applied = (file: string): HistoryRecord => ({
  ...migrationNamed(file),
  state: 'applied',
  appliedAt: new Date(),
  executionMs: 1,
  appliedBy: 'test',
  detail: undefined,
  downSql: undefined,
  unreadable: undefined,
})
const moves = (plan: ReturnType<typeof planRenumbering>) => plan.map(({ from, to }) => `${from.file} -> ${to.file}`)

describe('renumbering', () => {
  it('moves a migration not applied that shares its version with an applied one after the newest, keeping padding', () => {
    const files = ['0001_a.sql', '0002_main.sql', '0002_mine.sql', '0003_mine_too.mjs'].map((file) => migrationNamed(file))
    expect(moves(planRenumbering(files, [applied('0001_a.sql'), applied('0002_main.sql'), applied('0003_other.sql')]))).toEqual([
      '0002_mine.sql -> 0004_mine.sql',
      '0003_mine_too.mjs -> 0005_mine_too.mjs',
    ])
  })

  it('leaves alone pending migrations that already come after the newest applied one, and an applied one renamed', () => {
    const files = [migrationNamed('0001_a_renamed.sql', applied('0001_a.sql').checksum), migrationNamed('0002_b.sql')]
    expect(planRenumbering(files, [applied('0001_a.sql')])).toEqual([])
  })

  it('keeps timestamps for a folder of timestamps, after the newest file', () => {
    const files = ['20261101000000_a.sql', '20261201000000_b.sql', '20261115000000_c.sql'].map((file) => migrationNamed(file))
    const plan = planRenumbering(files, [applied('20261101000000_a.sql'), applied('20261201000000_b.sql')], {
      now: new Date('2026-11-30T12:15:00Z'),
    })
    expect(moves(plan)).toEqual(['20261115000000_c.sql -> 20261201000001_c.sql'])
  })

  it('moves the named files only, and refuses to move an applied one or guess between two new files of one version', () => {
    const files = ['0001_a.sql', '0002_main.sql', '0002_mine.sql'].map((file) => migrationNamed(file))
    expect(() => planRenumbering(files, [applied('0001_a.sql')])).toThrow(
      /0002_main\.sql and 0002_mine\.sql share version 2, and neither is applied.*mig renumber 0002_mine\.sql/,
    )
    expect(moves(planRenumbering(files, [applied('0001_a.sql')], { files: ['0002_mine.sql'] }))).toEqual(['0002_mine.sql -> 0003_mine.sql'])
    expect(() => planRenumbering(files, [applied('0001_a.sql')], { files: ['0001_a.sql'] })).toThrow(RenumberRefusedError)
    expect(() => planRenumbering(files, [], { files: ['0009_nothing.sql'] })).toThrow(/no file 0009_nothing\.sql/)
  })
})
