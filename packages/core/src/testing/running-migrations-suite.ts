import { expect, it } from 'vitest'
import type { Driver } from '../driver.js'
import { fromList } from '../from-list.js'
import { PartialMigrationError } from '../history-errors.js'
import { IN_FLIGHT_DETAIL } from '../in-flight-migrations.js'
import { Migrator } from '../migrator.js'
import { holdMigrationLock } from './hold-lock.js'

/**
 * A migration outside a transaction is recorded as failed before its first statement. While a
 * runner holds the lock, `status` and `validate` must call it running, not failed; once no
 * runner does, it failed part-way. Called inside the behaviour suite with its database.
 */
export function itReportsRunningMigrations(driver: () => Driver): void {
  it('a migration recorded in flight is running while a runner holds the lock, and failed part-way once none does', async () => {
    const source = fromList([{ version: 1, name: 'outside', transaction: false, up: 'CREATE TABLE outside (id INTEGER)' }])
    const [listed] = await source.list()
    const writer = driver()
    const session = await writer.connect()
    try {
      const sql = writer.text.historySql({ name: 'mig_migrations' })
      await session.runScript(sql.createTable)
      await session.query(sql.insert, [
        '1',
        'outside',
        listed?.checksum,
        'failed',
        new Date().toISOString(),
        0,
        'tester',
        `${IN_FLIGHT_DETAIL} still running`,
        listed?.file,
        null,
      ])
    } finally {
      await session.close()
    }
    const migrator = () => new Migrator({ driver: driver(), source })
    const held = await holdMigrationLock(driver())
    try {
      const [running] = await migrator().status()
      expect(running).toMatchObject({ state: 'running', problem: undefined })
      expect(running?.detail).toMatch(/^running since \S+, held by /)
      await expect(migrator().validate()).resolves.toEqual({ applied: 0, pending: 0, running: 1 })
    } finally {
      await held.release()
    }
    const [failed] = await migrator().status()
    expect(failed).toMatchObject({ state: 'failed', problem: 'failed' })
    await expect(migrator().validate()).rejects.toThrow(PartialMigrationError)
  })
}
