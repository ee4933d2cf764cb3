import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { postgresTables, queryRows } from './database-state.ts'
import { jsonLines, postgresVersions, runFleetMig } from './fleet-support.ts'
import { temporaryDirectory } from './run-mig.ts'

const LONG = 120_000

let project: { path: string; remove: () => Promise<void> }
const databases: TestDatabase[] = []

beforeAll(async () => {
  project = await temporaryDirectory('fleet-signals')
  for (let index = 0; index < 2; index++) databases.push(await createTestDatabase(inject('postgresUrl')))
})

afterAll(async () => {
  for (const database of databases) await database.drop()
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
      expect(summary.fleet).toMatchObject({ done: 0, cancelled: 2, stopped: 'aborted' })
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
