import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DriverSession } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { runMig, temporaryDirectory } from './run-mig.ts'

describe('a migration that waits for a table lock, through the mig binary', () => {
  let database: TestDatabase
  let project: { path: string; remove: () => Promise<void> }
  let blocker: DriverSession

  beforeEach(async () => {
    database = await createTestDatabase(inject('postgresUrl'))
    project = await temporaryDirectory('table-lock')
    await mkdir(join(project.path, 'migrations'))
    await writeFile(
      join(project.path, 'migrations', '0001_add_note.sql'),
      '-- mig:up\nALTER TABLE busy ADD COLUMN note TEXT;\n-- mig:down\nALTER TABLE busy DROP COLUMN note;\n',
    )
    blocker = await postgresDriver({ connectionString: database.url }).connect()
    await blocker.runScript('CREATE TABLE busy (id INTEGER)')
    // An application transaction that has read the table: ALTER TABLE queues behind it.
    await blocker.begin()
    await blocker.query('SELECT * FROM busy')
  })

  afterEach(async () => {
    await blocker.rollback()
    await blocker.close()
    await database.drop()
    await project.remove()
  })

  it('prints a line for each retry, then fails naming SQLSTATE 55P03 once', async () => {
    const run = await runMig(['up', '--table-lock-timeout', '100ms'], { cwd: project.path, env: { DATABASE_URL: database.url } })
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('0001_add_note.sql waited too long for a table lock and was rolled back; attempt 2 of')
    expect(run.stderr.match(/SQLSTATE 55P03/g)).toHaveLength(1)
    const bad = await runMig(['up', '--table-lock-timeout', 'abc'], { cwd: project.path, env: { DATABASE_URL: database.url } })
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('The table lock timeout (--table-lock-timeout')
  })
})
