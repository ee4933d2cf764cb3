import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromList, Migrator, UnreadableHistoryError } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

let folder: string
let filename: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-unreadable-'))
  filename = join(folder, 'app.db')
})

afterEach(() => rm(folder, { recursive: true, force: true }))

describe('history rows mig did not write', () => {
  it('status reports them as unreadable with the reason, and validate and up refuse them by name', async () => {
    const session = await sqliteDriver({ filename }).connect()
    await session.runScript(`CREATE TABLE mig_migrations (version TEXT PRIMARY KEY, name TEXT, checksum TEXT, state TEXT, applied_at TEXT,
      execution_ms INTEGER, applied_by TEXT, detail TEXT, file TEXT, down_sql TEXT)`)
    await session.runScript(
      `INSERT INTO mig_migrations VALUES ('1', 'a', 'sha256:x', 'running', 'yesterday', 5, 'someone', NULL, '0001_a.sql', NULL)`,
    )
    await session.close()
    const migrator = new Migrator({
      driver: sqliteDriver({ filename }),
      source: fromList([{ file: '0001_a.sql', content: '-- mig:up\nCREATE TABLE a (id INTEGER);\n' }]),
    })
    const [status] = await migrator.status()
    expect(status).toMatchObject({
      version: 1,
      file: '0001_a.sql',
      state: 'unreadable',
      problem: 'unreadable',
      appliedAt: undefined,
      detail: 'state "running" is not one mig writes (applied, baselined, failed); applied_at "yesterday" is not a time',
    })
    await expect(migrator.validate()).rejects.toThrow(UnreadableHistoryError)
    const error = await migrator.up().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UnreadableHistoryError)
    expect((error as UnreadableHistoryError).toJSON()).toMatchObject({
      code: 'MIG_UNREADABLE_HISTORY',
      migrations: [{ file: '0001_a.sql' }],
    })
  })
})
