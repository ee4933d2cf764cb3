import { describe, expect, it } from 'vitest'
import { checksumOf } from '../src/checksum.js'
import { RenumberRefusedError } from '../src/errors.js'
import type { HistoryRecord } from '../src/history-store.js'
import type { Migration } from '../src/migration.js'
import { parseMigrationFilename } from '../src/migration-filename.js'
import { MigrationSumMismatchError, renderMigrationSum, verifyMigrationSum } from '../src/migration-sum.js'
import { planRenumbering } from '../src/renumbering.js'

const migration = (file: string, checksum = checksumOf(file)): Migration => {
  const { version, name } = parseMigrationFilename(file)
  return {
    version,
    name,
    file,
    checksum,
    load: async () => ({ up: { kind: 'sql', sql: '', line: 1 }, down: undefined, transaction: true }),
  }
}
const applied = (file: string): HistoryRecord => ({
  ...migration(file),
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
    const files = ['0001_a.sql', '0002_main.sql', '0002_mine.sql', '0003_mine_too.mjs'].map((file) => migration(file))
    expect(moves(planRenumbering(files, [applied('0001_a.sql'), applied('0002_main.sql'), applied('0003_other.sql')]))).toEqual([
      '0002_mine.sql -> 0004_mine.sql',
      '0003_mine_too.mjs -> 0005_mine_too.mjs',
    ])
  })

  it('leaves alone pending migrations that already come after the newest applied one, and an applied one renamed', () => {
    const files = [migration('0001_a_renamed.sql', applied('0001_a.sql').checksum), migration('0002_b.sql')]
    expect(planRenumbering(files, [applied('0001_a.sql')])).toEqual([])
  })

  it('keeps timestamps for a folder of timestamps, after the newest file', () => {
    const files = ['20261101000000_a.sql', '20261201000000_b.sql', '20261115000000_c.sql'].map((file) => migration(file))
    const plan = planRenumbering(files, [applied('20261101000000_a.sql'), applied('20261201000000_b.sql')], {
      now: new Date('2026-11-30T12:15:00Z'),
    })
    expect(moves(plan)).toEqual(['20261115000000_c.sql -> 20261201000001_c.sql'])
  })

  it('moves the named files only, and refuses to move an applied one or guess between two new files of one version', () => {
    const files = ['0001_a.sql', '0002_main.sql', '0002_mine.sql'].map((file) => migration(file))
    expect(() => planRenumbering(files, [applied('0001_a.sql')])).toThrow(
      /0002_main\.sql and 0002_mine\.sql share version 2, and neither is applied.*mig renumber 0002_mine\.sql/,
    )
    expect(moves(planRenumbering(files, [applied('0001_a.sql')], { files: ['0002_mine.sql'] }))).toEqual(['0002_mine.sql -> 0003_mine.sql'])
    expect(() => planRenumbering(files, [applied('0001_a.sql')], { files: ['0001_a.sql'] })).toThrow(RenumberRefusedError)
    expect(() => planRenumbering(files, [], { files: ['0009_nothing.sql'] })).toThrow(/no file 0009_nothing\.sql/)
  })
})

describe('mig.sum', () => {
  const files = ['0001_a.sql', '0002_b.sql'].map((file) => migration(file))

  it('lists every file with its checksum and a total, and verifies what it wrote', () => {
    const text = renderMigrationSum(files)
    expect(text).toMatch(/^# mig\.sum/)
    expect(text).toContain(`0001_a.sql ${files[0]?.checksum}\n0002_b.sql ${files[1]?.checksum}\ntotal sha256:`)
    expect(() => verifyMigrationSum(text, files)).not.toThrow()
  })

  it('refuses an added, removed or changed file, a hand-edited line, and conflict markers, naming mig hash', () => {
    const text = renderMigrationSum(files)
    const refusal = (sum: string, migrations: readonly Migration[]) => {
      try {
        verifyMigrationSum(sum, migrations)
      } catch (error) {
        expect(error).toBeInstanceOf(MigrationSumMismatchError)
        return (error as Error).message
      }
      throw new Error('accepted')
    }
    expect(refusal(text, [...files, migration('0003_c.sql')])).toMatch(/0003_c\.sql is not in it.*`mig hash`/)
    expect(refusal(text, files.slice(0, 1))).toMatch(/0002_b\.sql is in it but not in the folder/)
    expect(refusal(text, [files[0] as Migration, migration('0002_b.sql', `sha256:${'f'.repeat(64)}`)])).toMatch(/0002_b\.sql changed/)
    expect(refusal(text.replace('0002_b.sql', '0002_x.sql'), [files[0] as Migration, migration('0002_x.sql', files[1]?.checksum)])).toMatch(
      /total does not match/,
    )
    expect(refusal(`<<<<<<< HEAD\n${text}=======\n>>>>>>> feature\n`, files)).toMatch(/conflict markers/)
  })
})
