import { describe, expect, it } from 'vitest'
import type { Migration } from '../src/migration.js'
import { MigrationSumMismatchError, renderMigrationSum, verifyMigrationSum } from '../src/migration-sum.js'
import { migrationNamed } from './migration-fixture.js'

describe('mig.sum', () => {
  const files = ['0001_a.sql', '0002_b.sql'].map((file) => migrationNamed(file))

  it('lists every file with its checksum and a total, and verifies what it wrote', () => {
    const text = renderMigrationSum(files)
    expect(text).toMatch(/^# mig\.sum/)
    expect(text).toContain(`0001_a.sql ${files[0]?.checksum}\n0002_b.sql ${files[1]?.checksum}\ntotal sha256:`)
    expect(() => verifyMigrationSum(text, files)).not.toThrow()
  })

  it('accepts what a Windows checkout makes of it: CRLF line ends and a byte order mark', () => {
    const text = renderMigrationSum(files)
    expect(() => verifyMigrationSum(`\ufeff${text.replace(/\n/g, '\r\n')}`, files)).not.toThrow()
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
    expect(refusal(text, [...files, migrationNamed('0003_c.sql')])).toMatch(/0003_c\.sql is not in it.*`mig hash`/)
    expect(refusal(text, files.slice(0, 1))).toMatch(/0002_b\.sql is in it but not in the folder/)
    expect(refusal(text, [files[0] as Migration, migrationNamed('0002_b.sql', `sha256:${'f'.repeat(64)}`)])).toMatch(/0002_b\.sql changed/)
    expect(
      refusal(text.replace('0002_b.sql', '0002_x.sql'), [files[0] as Migration, migrationNamed('0002_x.sql', files[1]?.checksum)]),
    ).toMatch(/total does not match/)
    expect(refusal(`<<<<<<< HEAD\n${text}=======\n>>>>>>> feature\n`, files)).toMatch(/conflict markers/)
  })
})
