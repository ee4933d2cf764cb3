import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { postgresTables, queryRows } from './database-state.ts'
import { jsonLines, onServer, postgresVersions, type RunningMig, runFleetMig, sqliteVersion } from './fleet-support.ts'
import { jsonOf, SQL, temporaryDirectory } from './run-mig.ts'

const LONG = 120_000

let project: { path: string; remove: () => Promise<void> }
const databases: TestDatabase[] = []
/** Read by status and validate: the first and the last are free, the middle one's history table is locked. */
const readDatabases: TestDatabase[] = []

beforeAll(async () => {
  project = await temporaryDirectory('fleet-signals')
  for (let index = 0; index < 2; index++) databases.push(await createTestDatabase(inject('postgresUrl')))
  for (let index = 0; index < 3; index++) readDatabases.push(await createTestDatabase(inject('postgresUrl')))
}, LONG)

afterAll(async () => {
  for (const database of [...databases, ...readDatabases]) await database.drop()
  await project?.remove()
})

/** Asks again every 50 ms until `check` holds; gives up, naming what it waited for, after 30 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    if (await check()) return
    await sleep(50)
  }
  throw new Error(`Gave up waiting until ${what}.`)
}

describe('interrupting a fleet run', () => {
  it(
    'SIGINT starts no new target, lets running ones finish their migration, and reports',
    async () => {
      const folder = join(project.path, 'interrupted')
      await mkdir(join(folder, 'migrations'), { recursive: true })
      await writeFile(
        join(folder, 'migrations', '0001_slow.mjs'),
        "export async function up({ run }) {\n  await run('CREATE TABLE a (id INTEGER)')\n  await new Promise((resolve) => setTimeout(resolve, 100))\n  await run('CREATE TABLE b (id INTEGER)')\n}\n",
      )
      for (let index = 0; index < 40; index++) await writeFile(join(folder, `t${index}.db`), '')
      let interrupted = false
      const run = await runFleetMig(
        ['up', '--fleet', '--dir', 'migrations', '--targets', 'sqlite:./*.db', '--concurrency', '4', '--json'],
        {
          cwd: folder,
          onLine: (_line, kill) => {
            if (!interrupted) kill('SIGINT')
            interrupted = true
          },
        },
      )
      expect(run.exitCode).toBe(130)
      const { targets, summary } = jsonLines(run)
      expect(summary.fleet.stopped).toBe('aborted')
      const done = targets.filter((line) => line.state === 'done')
      expect(done.length).toBeLessThan(40)
      const migrated: string[] = []
      for (let index = 0; index < 40; index++) {
        const filename = join(folder, `t${index}.db`)
        const tables = (
          await queryRows<{ name: string }>(sqliteDriver({ filename }), "SELECT name FROM sqlite_master WHERE name IN ('a', 'b')")
        ).map((row) => row.name)
        // Each tenant is before or after its migration, never in between.
        expect([[], ['a', 'b']]).toContainEqual(tables.sort())
        if (tables.length) migrated.push(`sqlite:./t${index}.db`)
      }
      expect(migrated.sort()).toEqual(done.map((line) => line.target).sort())
    },
    LONG,
  )

  it(
    'a second SIGTERM cancels the statement each running target is at, rolls its migration back, reports it, and exits 143',
    async () => {
      const folder = join(project.path, 'cancelled')
      await mkdir(join(folder, 'migrations'), { recursive: true })
      await writeFile(
        join(folder, 'migrations', '0001_slow_backfill.sql'),
        '-- mig:up\nCREATE TABLE backfilled (id INT);\nSELECT pg_sleep(60);\n-- mig:down\nDROP TABLE backfilled;\n',
      )
      await writeFile(join(folder, 'targets.txt'), `${databases.map((database) => database.url).join('\n')}\n`)
      const names = databases.map((database) => database.name)
      const sleeping = async () => {
        const [row] = await queryRows<{ count: number }>(
          postgresDriver({ connectionString: inject('postgresUrl') }),
          "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = ANY($1) AND state = 'active' AND query LIKE '%pg_sleep%'",
          [names],
        )
        return row?.count ?? 0
      }
      const run = await runFleetMig(['up', '--fleet', '--targets', '@targets.txt', '--concurrency', '2', '--json'], {
        cwd: folder,
        whileRunning: async (mig) => {
          await until('both targets run their migration', async () => (await sleeping()) === 2)
          mig.kill('SIGTERM')
          await until('mig says a second signal cancels', async () => mig.stderr().includes('Send it again'))
          mig.kill('SIGTERM')
        },
      })
      expect(run.exitCode).toBe(143)
      expect(run.stderr).not.toContain('DeprecationWarning')
      const { targets, summary } = jsonLines(run)
      // Both targets had started: the signal left none untaken, and stopped only these two.
      expect(summary.fleet).toMatchObject({ done: 0, cancelled: 2, stopped: null })
      expect(targets).toHaveLength(2)
      for (const line of targets) {
        expect(line).toMatchObject({
          state: 'cancelled',
          error: { code: 'MIG_ABORTED', interrupted: { file: '0001_slow_backfill.sql', rolledBack: true } },
        })
      }
      expect(await sleeping()).toBe(0)
      expect([...(await postgresVersions(inject('postgresUrl'), names)).values()]).toEqual([0, 0])
      for (const database of databases) expect(await postgresTables(database.url)).not.toContain('backfilled')
    },
    LONG,
  )
})

describe('a signal after every target of the fleet started', () => {
  /** Two SQLite targets whose migration waits, once begun, until the test writes `release`. */
  async function waitingFleet(name: string, migrations: number): Promise<string> {
    const folder = join(project.path, name)
    await mkdir(join(folder, 'migrations'), { recursive: true })
    for (let version = 1; version <= migrations; version++) {
      await writeFile(
        join(folder, 'migrations', `000${version}_waits.mjs`),
        [
          "import { existsSync, writeFileSync } from 'node:fs'",
          "import { setTimeout as sleep } from 'node:timers/promises'",
          'export async function up({ run }) {',
          `  await run('CREATE TABLE table_${version} (id INTEGER)')`,
          `  writeFileSync(\`started-${version}-\${process.hrtime.bigint()}\`, '')`,
          "  while (!existsSync('release')) await sleep(20)",
          '}',
          '',
        ].join('\n'),
      )
    }
    for (const target of ['t1', 't2']) await writeFile(join(folder, `${target}.db`), '')
    return folder
  }

  /** Sends `signal` once both targets run their first migration, then lets those migrations end. */
  const signalOnceBothRun = (folder: string, signal: NodeJS.Signals) => async (mig: RunningMig) => {
    const started = async () => (await readdir(folder)).filter((name) => name.startsWith('started-1-')).length
    await until('both targets run their first migration', async () => (await started()) === 2)
    mig.kill(signal)
    await until('mig has the signal', async () => mig.stderr().includes('Send it again'))
    await writeFile(join(folder, 'release'), '')
  }

  it(
    'stops nothing when the targets finish: the summary says when the signal came, and the exit code is 0',
    async () => {
      const folder = await waitingFleet('late-signal', 1)
      const run = await runFleetMig(['up', '--fleet', '--dir', 'migrations', '--targets', 'sqlite:./*.db', '--concurrency', '4'], {
        cwd: folder,
        whileRunning: signalOnceBothRun(folder, 'SIGINT'),
      })
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toContain('Interrupted after every target had started: each ran to its end.')
      expect(run.stdout).not.toContain('no target was started after that')
      expect(run.stdout).not.toContain('Resume with')
      for (const target of ['t1', 't2']) expect(await sqliteVersion(join(folder, `${target}.db`))).toBe(1)
    },
    LONG,
  )

  it(
    'reports the targets it stopped between migrations as cancelled, resumes only those, and exits 130',
    async () => {
      const folder = await waitingFleet('late-signal-cancelled', 2)
      const run = await runFleetMig(
        ['up', '--fleet', '--dir', 'migrations', '--targets', 'sqlite:./*.db', '--concurrency', '4', '--json'],
        { cwd: folder, whileRunning: signalOnceBothRun(folder, 'SIGINT') },
      )
      expect(run.exitCode).toBe(130)
      const { summary } = jsonLines(run)
      expect(summary).toMatchObject({ ok: false, fleet: { done: 0, cancelled: 2, stopped: null } })
      expect(summary.fleet.resume).toMatch(/--only sqlite:\.\/t1\.db,sqlite:\.\/t2\.db$|--only sqlite:\.\/t2\.db,sqlite:\.\/t1\.db$/)
      for (const target of ['t1', 't2']) expect(await sqliteVersion(join(folder, `${target}.db`))).toBe(1)
    },
    LONG,
  )
})

describe('interrupting a read of many databases: status and validate', () => {
  const folder = () => join(project.path, 'reads')
  const readDatabase = (index: number) => () => readDatabases[index] as TestDatabase
  const free = readDatabase(0)
  const locked = readDatabase(1)
  const last = readDatabase(2)

  beforeAll(async () => {
    await mkdir(join(folder(), 'migrations'), { recursive: true })
    await writeFile(join(folder(), 'migrations', '0001_create_users.sql'), SQL.createUsers)
    await writeFile(join(folder(), 'migrations', '0002_add_email.sql'), SQL.addEmail)
    await writeFile(join(folder(), 'all.txt'), `${readDatabases.map((database) => database.url).join('\n')}\n`)
    await writeFile(join(folder(), 'locked-first.txt'), `${[locked(), free()].map((database) => database.url).join('\n')}\n`)
    const up = await runFleetMig(['up', '--fleet', '--targets', '@all.txt', '--to', '1'], { cwd: folder() })
    expect(up.exitCode).toBe(0)
    // The locked database's own lock_timeout, which mig keeps: a read behind the lock waits for as long as the test runs.
    await onServer(inject('postgresUrl'), [`ALTER DATABASE ${locked().name} SET lock_timeout = '10min'`])
  }, LONG)

  /** Holds an ACCESS EXCLUSIVE lock on the history table, as a long ALTER TABLE or VACUUM FULL would, until released. */
  async function lockHistoryTable(url: string): Promise<{ release: () => Promise<void> }> {
    const session = await postgresDriver({ connectionString: url }).connect()
    await session.begin()
    await session.runScript('LOCK TABLE mig_migrations IN ACCESS EXCLUSIVE MODE')
    return {
      release: async () => {
        await session.rollback()
        await session.close()
      },
    }
  }

  const readWaitsForTheLock = async () => {
    const [row] = await queryRows<{ count: number }>(
      postgresDriver({ connectionString: inject('postgresUrl') }),
      "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
      [locked().name],
    )
    return row?.count === 1
  }

  it.each(['status', 'validate'])(
    '%s --fleet: a second SIGINT cancels the read stuck behind a locked history table and reports what was read (exit 130)',
    async (command) => {
      const lock = await lockHistoryTable(locked().url)
      try {
        const run = await runFleetMig([command, '--fleet', '--targets', '@all.txt', '--concurrency', '1', '--json'], {
          cwd: folder(),
          whileRunning: async (mig) => {
            await until('the read waits for the lock', readWaitsForTheLock)
            mig.kill('SIGINT')
            await until('mig says a second signal cancels', async () => mig.stderr().includes('Send it again'))
            mig.kill('SIGINT')
          },
        })
        expect(run.exitCode).toBe(130)
        const { targets, summary } = jsonLines(run)
        expect(summary.fleet).toMatchObject({ done: 1, failed: 0, unreachable: 0, cancelled: 1, stopped: 'aborted' })
        expect(summary.fleet.failures).toEqual([{ target: locked().url, state: 'cancelled' }])
        // Read before the signals, cancelled by the second, never started after the first.
        expect(targets.map((line) => [line.target, line.state])).toEqual([
          [free().url, 'done'],
          [locked().url, 'cancelled'],
        ])
        expect(targets[1]).toMatchObject({ error: { code: 'MIG_ABORTED' } })
        expect(targets[0]).toMatchObject({ pending: 1 })
        if (command === 'status')
          expect(summary.status.versions).toEqual([{ version: 1, label: '0001', count: 1, targets: [free().url], listedAll: true }])
        expect(targets.map((line) => line.target)).not.toContain(last().url)
      } finally {
        await lock.release()
      }
    },
    LONG,
  )

  it.each(['status', 'validate'])(
    '%s --fleet: the first SIGINT starts no new target and lets the running read finish',
    async (command) => {
      const lock = await lockHistoryTable(locked().url)
      try {
        const run = await runFleetMig([command, '--fleet', '--targets', '@locked-first.txt', '--concurrency', '1', '--json'], {
          cwd: folder(),
          whileRunning: async (mig) => {
            await until('the read waits for the lock', readWaitsForTheLock)
            mig.kill('SIGINT')
            await until('mig heard the signal', async () => mig.stderr().includes('Received SIGINT'))
            await lock.release()
          },
        })
        expect(run.exitCode).toBe(130)
        const { targets, summary } = jsonLines(run)
        expect(summary.fleet).toMatchObject({ done: 1, cancelled: 0, stopped: 'aborted' })
        expect(targets).toHaveLength(1)
        expect(targets[0]).toMatchObject({ target: locked().url, state: 'done', pending: 1 })
      } finally {
        await lock.release().catch(() => {})
      }
    },
    LONG,
  )

  it.each(['status', 'validate'])(
    'a single %s: the second SIGINT cancels its read behind a locked history table (exit 130, MIG_ABORTED)',
    async (command) => {
      const lock = await lockHistoryTable(locked().url)
      try {
        const run = await runFleetMig([command, '--url', locked().url, '--json'], {
          cwd: folder(),
          whileRunning: async (mig) => {
            await until('the read waits for the lock', readWaitsForTheLock)
            mig.kill('SIGINT')
            await until('mig says a second signal cancels', async () => mig.stderr().includes('Send it again'))
            mig.kill('SIGINT')
          },
        })
        expect(run.exitCode).toBe(130)
        expect(jsonOf(run)).toMatchObject({ ok: false, command, error: { code: 'MIG_ABORTED' } })
        // A read is told it stops, not that a migration is rolled back.
        expect(run.stderr).toContain('Received SIGINT: stopping once the work under way is done. Send it again to cancel it now.')
        expect(run.stderr).toContain('Received SIGINT again: cancelling the running statement. Send it once more')
        expect(run.stderr).not.toContain('migration')
      } finally {
        await lock.release()
      }
    },
    LONG,
  )
})
