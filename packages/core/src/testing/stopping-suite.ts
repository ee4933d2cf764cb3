import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MigrationDefinition } from '../from-list.js'
import { fromList } from '../from-list.js'
import type { MigrationContext } from '../migration.js'
import { Migrator } from '../migrator.js'
import { AbortedError } from '../run-errors.js'
import { type ConformanceDatabase, type ConformanceTarget, queryDatabase } from './conformance-target.js'
import { createTable } from './sample-migrations.js'

/** Something a migration says once it is under way, so that a test stops the run only then. */
function milestone() {
  let reach = () => {}
  const reached = new Promise<void>((resolve) => {
    reach = resolve
  })
  return { reach, reached }
}

/**
 * A run told to stop while a code migration computes, waits or calls another service, sending no
 * SQL: the first signal (`signal`) lets the migration finish; the second (`cancelSignal`) aborts
 * the migration's `context.signal`, and the migration is rolled back and reported as cancelled.
 */
export function runStoppingSuite(target: ConformanceTarget): void {
  describe(`stopping code migrations: ${target.name}`, () => {
    let database: ConformanceDatabase

    beforeEach(async () => {
      database = await target.createDatabase()
    })

    afterEach(() => database.destroy())

    const userTables = async () => (await database.tables()).filter((table) => !table.startsWith('mig_')).sort()
    const history = () =>
      queryDatabase<{ version: unknown; state: string; detail: string | null }>(
        database,
        'SELECT version, state, detail FROM mig_migrations',
      )
    const backfill = (up: (context: MigrationContext) => Promise<void>, transaction = true): MigrationDefinition => ({
      version: 2,
      name: 'backfill',
      transaction,
      up,
    })

    /** Runs `up`, and stops it as the CLI does on a second Ctrl-C once `reached` settles. */
    const stoppedNow = async (migrations: MigrationDefinition[], reached: Promise<void>) => {
      const stop = new AbortController()
      const cancel = new AbortController()
      const running = new Migrator({ driver: database.driver(), source: fromList(migrations) })
        .up({ signal: stop.signal, cancelSignal: cancel.signal })
        .catch((error: unknown) => error)
      await reached
      stop.abort({ signal: 'SIGINT' })
      cancel.abort({ signal: 'SIGINT' })
      return running
    }

    it('a migration waiting between batches that checks its signal stops, and is rolled back and reported as cancelled', async () => {
      const underWay = milestone()
      let given: AbortSignal | undefined
      const error = await stoppedNow(
        [
          createTable(1, 'kept'),
          backfill(async ({ run, signal }) => {
            given = signal
            // A row, not a table: on a database whose DDL commits at once, a table would stay.
            await run("INSERT INTO kept (id, label) VALUES (2, 'backfilled')")
            underWay.reach()
            for (;;) {
              signal.throwIfAborted()
              await sleep(5)
            }
          }),
        ],
        underWay.reached,
      )
      expect(error).toBeInstanceOf(AbortedError)
      expect(given?.reason).toBe(error)
      // A database whose DDL commits at once rolls the row back too, but mig cannot tell that no DDL ran.
      const { transactionalDdl } = database.driver().capabilities
      const outcome = transactionalDdl ? 'rolled-back' : 'ddl-kept'
      expect((error as AbortedError).interrupted).toMatchObject({ migration: { version: 2 }, rolledBack: transactionalDdl, outcome })
      expect((error as AbortedError).completed).toMatchObject([{ version: 1 }])
      expect((error as AbortedError).cause).toEqual({ signal: 'SIGINT' })
      expect((error as Error).message).toMatch(
        transactionalDdl
          ? /^The run was cancelled\. 2_backfill was stopped .*; that migration was rolled back\./
          : /^The run was cancelled\. 2_backfill was stopped .*\. Its transaction was rolled back, but this database commits DDL at once: .* so it is still pending\./,
      )
      expect(await queryDatabase(database, 'SELECT label FROM kept')).toEqual([{ label: 'first' }])
      expect((await history()).map((row) => Number(row.version))).toEqual([1])
    })

    it('outside a transaction, one that hands its signal to a wait is recorded as failed and reported as cancelled', async () => {
      const underWay = milestone()
      const error = await stoppedNow(
        [
          backfill(async ({ run, signal }) => {
            await run('CREATE TABLE backfilled (id INTEGER)')
            underWay.reach()
            // As fetch(url, { signal }) does: the wait rejects with the signal's reason.
            await sleep(600_000, undefined, { signal })
          }, false),
        ],
        underWay.reached,
      )
      expect(error).toBeInstanceOf(AbortedError)
      expect((error as AbortedError).interrupted).toMatchObject({ migration: { version: 2 }, rolledBack: false, outcome: 'part-way' })
      expect(await userTables()).toEqual(['backfilled'])
      expect(await history()).toMatchObject([{ state: 'failed', detail: 'cancelled before its next statement' }])
    })

    it('run() and query() after the signal aborted send nothing and throw its reason; a migration that returns anyway is not recorded as applied', async () => {
      const underWay = milestone()
      const refusals: unknown[] = []
      let given: AbortSignal | undefined
      const error = await stoppedNow(
        [
          backfill(async ({ run, query, signal }) => {
            given = signal
            await run('CREATE TABLE backfilled (id INTEGER)')
            underWay.reach()
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
            await run('CREATE TABLE after_stop (id INTEGER)').catch((refusal: unknown) => refusals.push(refusal))
            await query('INSERT INTO backfilled (id) VALUES (1)').catch((refusal: unknown) => refusals.push(refusal))
          }, false),
        ],
        underWay.reached,
      )
      expect(error).toBeInstanceOf(AbortedError)
      expect(refusals).toEqual([given?.reason, given?.reason])
      expect(refusals[0]).toBeInstanceOf(AbortedError)
      expect(await userTables()).toEqual(['backfilled'])
      expect(await queryDatabase(database, 'SELECT id FROM backfilled')).toEqual([])
      expect(await history()).toMatchObject([{ state: 'failed', detail: 'cancelled while it ran, and returned: it may not have finished' }])
    })

    it('on the first signal only, a migration that ignores its signal completes and the run stops after it', async () => {
      const underWay = milestone()
      const stop = new AbortController()
      const cancel = new AbortController()
      let abortedAtEnd: boolean | undefined
      const running = new Migrator({
        driver: database.driver(),
        source: fromList([
          backfill(async ({ run, query, signal }) => {
            await run('CREATE TABLE backfilled (id INTEGER)')
            underWay.reach()
            for (let id = 1; id <= 5; id++) {
              await sleep(5)
              await query(`INSERT INTO backfilled (id) VALUES (${id})`)
            }
            abortedAtEnd = signal.aborted
          }),
          createTable(3, 'after'),
        ]),
      })
        .up({ signal: stop.signal, cancelSignal: cancel.signal })
        .catch((error: unknown) => error)
      await underWay.reached
      stop.abort({ signal: 'SIGINT' })
      const error = await running
      expect(error).toBeInstanceOf(AbortedError)
      expect((error as AbortedError).completed).toMatchObject([{ version: 2 }])
      expect((error as AbortedError).interrupted).toBeUndefined()
      expect(abortedAtEnd).toBe(false)
      expect(await userTables()).toEqual(['backfilled'])
      expect(await queryDatabase(database, 'SELECT COUNT(*) AS n FROM backfilled').then(([row]) => Number(row?.n))).toBe(5)
      expect(await history()).toMatchObject([{ state: 'applied' }])
    })
  })
}
