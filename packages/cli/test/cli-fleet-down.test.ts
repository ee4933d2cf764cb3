import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { queryRows } from './database-state.ts'
import { jsonLines, runFleetMig, sqliteVersion } from './fleet-support.ts'
import { jsonOf, SQL, temporaryDirectory } from './run-mig.ts'

let project: { path: string; remove: () => Promise<void> }
const mig = (...args: string[]) => runFleetMig(args, { cwd: project.path })
const TARGETS = ['--targets', 'sqlite:./tenants/*.db']
const tenantFile = (name: string) => join(project.path, 'tenants', `${name}.db`)
const versions = async () => Promise.all(['a', 'b', 'c'].map((name) => sqliteVersion(tenantFile(name))))

async function runSql(name: string, sql: string): Promise<void> {
  const session = await sqliteDriver({ filename: tenantFile(name) }).connect()
  try {
    await session.runScript(sql)
  } finally {
    await session.close()
  }
}

/** A release that reached only some tenants: a and b are at 0002, c stayed at 0001 and holds a user. */
beforeEach(async () => {
  project = await temporaryDirectory('fleet-down')
  await mkdir(join(project.path, 'migrations'))
  await mkdir(join(project.path, 'tenants'))
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
  await writeFile(join(project.path, 'migrations', '0002_add_email.sql'), SQL.addEmail)
  for (const name of ['a', 'b']) expect((await mig('up', '--url', `sqlite:./tenants/${name}.db`)).exitCode).toBe(0)
  expect((await mig('up', '--url', 'sqlite:./tenants/c.db', '--to', '1')).exitCode).toBe(0)
  await runSql('c', 'INSERT INTO users (id) VALUES (42)')
  expect(await versions()).toEqual([2, 2, 1])
})

afterEach(() => project?.remove())

describe('mig down --fleet takes every target to one version', () => {
  it('refuses to run without --to, or with --step, before touching any target, and names the command to run', async () => {
    const bare = await mig('down', '--fleet', ...TARGETS)
    expect(bare.exitCode).toBe(2)
    expect(bare.stderr).toContain('MIG_USAGE')
    expect(bare.stderr).toContain('needs --to <version>')
    expect(bare.stderr).toContain(
      "To revert 0002_add_email.sql on every target: mig down --fleet --targets 'sqlite:./tenants/*.db' --to 0001",
    )
    expect(bare.stdout).not.toContain('reverted')

    const stepped = jsonOf(await mig('down', '--fleet', ...TARGETS, '--step', '1', '--json'))
    expect(stepped).toMatchObject({ ok: false, error: { code: 'MIG_USAGE' } })
    expect(stepped.error.message).toContain('not --step')
    expect(stepped.error.message).toContain("mig down --fleet --targets 'sqlite:./tenants/*.db' --json --to 0001")

    expect(await versions()).toEqual([2, 2, 1])
    expect(await queryRows(sqliteDriver({ filename: tenantFile('c') }), 'SELECT id FROM users')).toEqual([{ id: 42 }])
  })

  it('--to brings every target to that version; a target already there reverts nothing, keeps its data, and says so', async () => {
    const run = await mig('down', '--fleet', ...TARGETS, '--to', '0001')
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/done {2}sqlite:\.\/tenants\/a\.db: reverted 1 migration \(0002_add_email\.sql\) \(/)
    expect(run.stdout).toMatch(/done {2}sqlite:\.\/tenants\/c\.db: nothing to revert: already at 0001 or below \(/)
    expect(await versions()).toEqual([1, 1, 1])
    expect(await queryRows(sqliteDriver({ filename: tenantFile('c') }), 'SELECT id FROM users')).toEqual([{ id: 42 }])
  })

  it('the resume command of a down that failed on a target carries its --to', async () => {
    // b's column is gone already, so its down fails there.
    await runSql('b', 'ALTER TABLE users DROP COLUMN email')
    const run = await mig('down', '--fleet', ...TARGETS, '--to', '1', '--keep-going', '--json')
    expect(run.exitCode).toBe(1)
    const { summary } = jsonLines(run)
    expect(summary.fleet).toMatchObject({ done: 2, failed: 1 })
    expect(summary.fleet.resume).toBe(
      "mig down --fleet --targets 'sqlite:./tenants/*.db' --to 1 --keep-going --json --only sqlite:./tenants/b.db",
    )
    expect(await versions()).toEqual([1, 2, 1])
  })
})

describe("each target's JSON line of up and down --fleet", () => {
  it("has a single run's fields, each meaning what it means there, and the target's own span as targetDurationMs", async () => {
    await writeFile(join(project.path, 'migrations', '0003_create_posts.sql'), SQL.createPosts)
    const single = jsonOf(await mig('up', '--url', 'sqlite:./tenants/a.db', '--json'))
    const { ok: _ok, command: _command, database: _database, dryRun: _dryRun, ...runFields } = single
    expect(Object.keys(runFields).sort()).toEqual(['direction', 'durationMs', 'lockWaitMs', 'migrations', 'pending'])

    const up = jsonLines(await mig('up', '--fleet', ...TARGETS, '--json'))
    const line = up.targets.find((target) => target.target === 'sqlite:./tenants/b.db')
    expect(Object.keys(line ?? {}).sort()).toEqual(
      ['attempts', 'state', 'target', 'targetDurationMs', 'warnings', ...Object.keys(runFields)].sort(),
    )
    expect(line).toMatchObject({
      state: 'done',
      direction: 'up',
      lockWaitMs: 0,
      pending: 0,
      migrations: [{ file: '0003_create_posts.sql' }],
    })
    expect(typeof line?.durationMs).toBe('number')
    expect(typeof line?.targetDurationMs).toBe('number')

    await runSql('b', 'DROP TABLE posts')
    const down = jsonLines(await mig('down', '--fleet', ...TARGETS, '--to', '2', '--keep-going', '--json'))
    const byTarget = Object.fromEntries(down.targets.map((target) => [target.target, target]))
    expect(byTarget['sqlite:./tenants/a.db']).toMatchObject({
      state: 'done',
      direction: 'down',
      lockWaitMs: 0,
      migrations: [{ version: 3 }],
    })
    expect(byTarget['sqlite:./tenants/a.db']).not.toHaveProperty('pending')
    // A failed target has no run of its own: its error, and its span.
    expect(byTarget['sqlite:./tenants/b.db']).toMatchObject({ state: 'failed', error: { code: 'MIG_MIGRATION_FAILED' } })
    expect(typeof byTarget['sqlite:./tenants/b.db']?.targetDurationMs).toBe('number')
    expect(byTarget['sqlite:./tenants/b.db']).not.toHaveProperty('durationMs')
  })
})
