import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Driver, DriverSession, HistoryTableName, MigrationLock } from '../driver.js'
import { DatabaseError } from '../errors.js'
import type { ConformanceDatabase, ConformanceTarget } from './conformance-target.js'

const HISTORY: HistoryTableName = { name: 'mig_contract_history' }

/**
 * Each part of a driver on its own, one test per contract method, against a real database: the
 * session, the dialect text, the lock and the schema part. A failure here names the method that
 * breaks its promise, before the behaviour suite shows what that does to a run.
 */
export function runDriverContractSuite(target: ConformanceTarget): void {
  describe(`driver contract: ${target.name}`, () => {
    let database: ConformanceDatabase
    let driver: Driver
    let open: { close(): Promise<void> }[] = []

    beforeEach(async () => {
      database = await target.createDatabase()
      driver = database.driver()
    })

    afterEach(async () => {
      for (const item of open.reverse()) await item.close()
      open = []
      await database.destroy()
    })

    const session = async (on: Driver = driver): Promise<DriverSession> => {
      const opened = await on.connect()
      open.push(opened)
      return opened
    }
    const lock = async (on: Driver = driver): Promise<MigrationLock> => {
      const opened = await on.lock.open(await session(on), HISTORY, { timeoutMs: 10_000 })
      open.push({ close: () => opened.release() })
      return opened
    }
    const p = (index: number) => target.placeholder(index)

    describe('session', () => {
      it('runScript runs every statement of a script', async () => {
        const s = await session()
        await s.runScript('CREATE TABLE t (id INTEGER);\nINSERT INTO t (id) VALUES (1);\nINSERT INTO t (id) VALUES (2);')
        expect(await s.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }])
      })

      it('runScript throws a DatabaseError whose position points into the script', async () => {
        const s = await session()
        const script = 'CREATE TABLE t (id INTEGER);\nINSERT INTO missing_table (id) VALUES (1);'
        const error = await s.runScript(script).catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(DatabaseError)
        const position = (error as DatabaseError).position
        expect(position).toBeGreaterThanOrEqual(script.indexOf('INSERT'))
        expect(position).toBeLessThan(script.length)
      })

      it('query binds parameters and returns rows, or none', async () => {
        const s = await session()
        await s.runScript('CREATE TABLE t (id INTEGER, label TEXT)')
        expect(await s.query(`INSERT INTO t (id, label) VALUES (${p(1)}, ${p(2)})`, [7, "it's; -- not SQL"])).toEqual([])
        expect(await s.query(`SELECT label FROM t WHERE id = ${p(1)}`, [7])).toEqual([{ label: "it's; -- not SQL" }])
      })

      // Rows, not tables: a database whose DDL commits at once (transactionalDdl false) keeps these promises too.
      it('commit keeps what the transaction did', async () => {
        const s = await session()
        await s.runScript('CREATE TABLE t (id INTEGER)')
        await s.begin()
        await s.runScript('INSERT INTO t (id) VALUES (1)')
        await s.commit()
        expect(await (await session()).query('SELECT id FROM t')).toEqual([{ id: 1 }])
      })

      it('rollback undoes the transaction, and does not throw without one', async () => {
        const s = await session()
        await s.runScript('CREATE TABLE t (id INTEGER)')
        await s.begin()
        await s.runScript('INSERT INTO t (id) VALUES (1)')
        await s.rollback()
        expect(await s.query('SELECT id FROM t')).toEqual([])
        await expect(s.rollback()).resolves.toBeUndefined()
      })

      it('close gives the connection back and never throws, even twice', async () => {
        const s = await driver.connect()
        await s.close()
        await expect(s.close()).resolves.toBeUndefined()
      })
    })

    describe('dialect text', () => {
      it('splitStatements returns each statement with its offset', () => {
        const script = "-- a comment\nCREATE TABLE t (label TEXT DEFAULT 'a;b');\n\nINSERT INTO t VALUES ('c');"
        const statements = driver.text.splitStatements(script)
        expect(statements).toHaveLength(2)
        for (const statement of statements) expect(script.slice(statement.offset)).toMatch(/^(CREATE|INSERT)/)
      })

      it('historySql creates, finds, writes and reads the history table, with versions of any length', async () => {
        const s = await session()
        const sql = driver.text.historySql(HISTORY)
        expect(await s.query(sql.tableExists)).toEqual([])
        expect(await s.query(sql.needsUpgrade)).toEqual([])
        await s.runScript(sql.createTable)
        await s.runScript(sql.createTable)
        expect((await s.query(sql.tableExists)).length).toBeGreaterThan(0)
        expect(await s.query(sql.needsUpgrade)).toEqual([])
        const at = '2026-11-30T12:00:00.000Z'
        const huge = '20210410175418000001'
        await s.query(sql.insert, ['3', 'three', 'sha256:x', 'failed', at, 12, 'tester', 'why', '0003_three.sql', 'DROP TABLE t;'])
        await s.query(sql.insert, [huge, 'huge', 'sha256:z', 'applied', at, 1, 'tester', null, `${huge}_huge.sql`, null])
        await s.query(sql.update, ['applied', 'sha256:y', at, 13, null, '3'])
        const rows = await s.query<Record<string, unknown>>(sql.selectAll)
        const read = rows.map((row) => ({
          ...row,
          version: String(row.version),
          execution_ms: Number(row.execution_ms),
          applied_at: new Date(row.applied_at as string | Date).toISOString(),
        }))
        expect(read.sort((a, b) => a.version.length - b.version.length)).toEqual([
          {
            version: '3',
            name: 'three',
            checksum: 'sha256:y',
            state: 'applied',
            applied_at: at,
            execution_ms: 13,
            applied_by: 'tester',
            detail: null,
            file: '0003_three.sql',
            down_sql: 'DROP TABLE t;',
          },
          expect.objectContaining({ version: huge, file: `${huge}_huge.sql`, down_sql: null }),
        ])
        await s.query(sql.delete, ['3'])
        await s.query(sql.delete, [huge])
        expect(await s.query(sql.selectAll)).toEqual([])
      })

      it('quoteIdentifier quotes any name, a quote inside it included', async () => {
        const s = await session()
        const name = driver.text.quoteIdentifier('order "x"')
        await s.runScript(`CREATE TABLE ${name} (id INTEGER)`)
        expect(await database.tables()).toContain('order "x"')
      })

      it('transactionControl names the statements that end or nest a transaction, and nothing else', () => {
        const script =
          "BEGIN;\nINSERT INTO t (label) VALUES ('COMMIT; END');\nSAVEPOINT s;\nRELEASE s;\nCOMMIT;\nEND;\nROLLBACK;\nCREATE TABLE t (id INTEGER);"
        const commands = driver.text.splitStatements(script).map((statement) => driver.text.transactionControl(statement.text) ?? null)
        expect(commands).toEqual(['BEGIN', null, 'SAVEPOINT', 'RELEASE', 'COMMIT', 'END', 'ROLLBACK', null])
      })

      it('classifyStatement, inspectScript and clientOnly answer for any statement', () => {
        expect(driver.text.classifyStatement('CREATE TABLE t (id INTEGER)')).toEqual({ kind: 'schema' })
        expect(driver.text.inspectScript('CREATE TABLE t (id INTEGER);', 'transaction')).toEqual([])
        expect(driver.text.clientOnly("INSERT INTO t (label) VALUES ('COPY t FROM STDIN');")).toBeUndefined()
      })
    })

    describe('lock', () => {
      it('tryAcquire is exclusive: a second lock on another driver fails at once until the first is released', async () => {
        const first = await lock()
        const second = await lock(database.driver())
        expect(await first.tryAcquire()).toBe(true)
        expect(await second.tryAcquire()).toBe(false)
        await first.release()
        expect(await second.tryAcquire()).toBe(true)
      })

      it('describeHolder answers while the lock is held and after it is free', async () => {
        const first = await lock()
        const second = await lock(database.driver())
        expect(await first.tryAcquire()).toBe(true)
        expect(await second.describeHolder()).toBeDefined()
        await first.release()
        expect(await second.describeHolder()).toBeUndefined()
      })

      it('isHeld is true while the lock is held', async () => {
        const first = await lock()
        expect(await first.tryAcquire()).toBe(true)
        expect(first.isHeld()).toBe(true)
      })

      it('fence, on the migrations session, says the lock is still held, inside a transaction and outside', async () => {
        const s = await session()
        const first = await driver.lock.open(s, HISTORY, { timeoutMs: 10_000 })
        open.push({ close: () => first.release() })
        const second = await lock(database.driver())
        expect(await first.tryAcquire()).toBe(true)
        expect(await first.fence(s)).toBe(true)
        await s.begin()
        expect(await first.fence(s)).toBe(true)
        expect(await second.tryAcquire()).toBe(false)
        await s.rollback()
        await first.release()
        expect(await first.fence(s)).toBe(false)
      })

      it('release never throws, also twice or without the lock', async () => {
        const first = await lock()
        await expect(first.release()).resolves.toBeUndefined()
        const second = await lock()
        expect(await second.tryAcquire()).toBe(true)
        await second.release()
        await expect(second.release()).resolves.toBeUndefined()
      })
    })

    describe('schema part', () => {
      it('describe sees what was built and leaves out the history table; renderDrop drops it again', async () => {
        const part = driver.schema
        if (!part) return expect(driver.capabilities.schemaSnapshots).toBe(false)
        const s = await session()
        await s.runScript(driver.text.historySql(HISTORY).createTable)
        await s.runScript('CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT);\nCREATE VIEW v AS SELECT label FROM t;')
        const snapshot = await part.describe(s, HISTORY)
        expect(snapshot.tables.map((table) => table.name)).toEqual(['t'])
        expect(snapshot.views.map((view) => view.name)).toEqual(['v'])
        await s.runScript([part.renderDrop({ kind: 'view', name: 'v' }), part.renderDrop({ kind: 'table', name: 't' })].join('\n'))
        const after = await part.describe(s, HISTORY)
        expect([after.tables, after.views]).toEqual([[], []])
      })

      it('createScratchDatabase gives an empty database of the same dialect, removed by destroy', async () => {
        const create = driver.schema?.createScratchDatabase
        if (!create) return expect(driver.capabilities.scratchDatabases).toBe(false)
        const scratch = await create()
        try {
          const s = await scratch.driver.connect()
          try {
            await s.runScript('CREATE TABLE only_on_scratch (id INTEGER)')
            expect((await scratch.driver.schema?.describe(s, HISTORY))?.tables.map((table) => table.name)).toEqual(['only_on_scratch'])
          } finally {
            await s.close()
          }
        } finally {
          await scratch.destroy()
        }
        expect(await database.tables()).not.toContain('only_on_scratch')
      })
    })
  })
}
