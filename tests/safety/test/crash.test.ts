import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fromDirectory, Migrator } from '@mig/core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { writeCrashWorkload } from './support/crash-workload.js'
import { type DatabaseSnapshot, snapshotDifference } from './support/database-snapshot.js'
import { type Dialect, finish, RunnerProcess } from './support/runner-process.js'
import { createPostgresDatabase, createSqliteDatabase, type SafetyDatabase } from './support/safety-database.js'
import { safetySeed, seededRandom } from './support/seeded-random.js'
import { countFailures, reportFigures, temporaryFolder } from './support/suite-results.js'

const MIGRATIONS = 24
const KILLS = Number(process.env.MIG_SAFETY_KILLS ?? 55)
const RUN_GUARD_MS = 120_000
const seed = safetySeed()
console.log(`[safety] crash suite seed ${seed} (replay with MIG_SAFETY_SEED=${seed})`)
const outcome = { failures: 0 }
const figures: Record<string, unknown> = {}
countFailures(outcome)
afterAll(() => reportFigures('crash', { seed, migrations: MIGRATIONS, ...figures, failures: outcome.failures }))

/** The database after a clean run of the first k migrations, for every k. */
async function referenceSnapshots(
  database: SafetyDatabase,
  migrations: string,
): Promise<{ snapshots: DatabaseSnapshot[]; averageMs: number }> {
  const migrator = new Migrator({ driver: database.driver(), source: fromDirectory(migrations) })
  const durations: number[] = []
  migrator.on('migrated', (event) => durations.push(event.durationMs))
  const snapshots = [await database.snapshot()]
  for (let step = 1; step <= MIGRATIONS; step++) {
    await migrator.up({ step: 1 })
    snapshots.push(await database.snapshot())
  }
  return { snapshots, averageMs: durations.reduce((sum, ms) => sum + ms, 0) / durations.length }
}

/** Where the runner was when it died, from the last line it printed. */
function phaseOf(runner: RunnerProcess): string {
  const last = runner.events.at(-1)
  if (!last || last.event === 'ready' || last.event === 'lock-waiting') return 'before taking the lock'
  if (last.event === 'lock-acquired') return 'holding the lock, before the first migration'
  if (last.event === 'migrating') return 'inside a migration'
  return 'between migrations'
}

describe.each(['sqlite', 'postgres'] as const)('crash safety on %s', (dialect: Dialect) => {
  let folder: Awaited<ReturnType<typeof temporaryFolder>>
  let databases = 0
  const newDatabase = async (): Promise<SafetyDatabase> =>
    dialect === 'sqlite' ? createSqliteDatabase(folder.path, `round-${++databases}`) : createPostgresDatabase(inject('postgresUrl'))

  beforeAll(async () => {
    folder = await temporaryFolder(`crash-${dialect}`)
  })
  afterAll(async () => {
    await folder?.remove()
  })

  it('a runner killed anywhere leaves each migration either applied with its tracking row or absent without one, ' +
    'and the next run finishes with the schema and data of a clean run', async () => {
    const random = seededRandom(seed + (dialect === 'sqlite' ? 0 : 1))
    const { folder: migrations, versions } = await writeCrashWorkload(join(folder.path, 'migrations'), dialect, random, MIGRATIONS)
    const clean = await newDatabase()
    const { snapshots: reference, averageMs } = await referenceSnapshots(clean, migrations)
    await clean.drop()
    const finalReference = reference[MIGRATIONS] as DatabaseSnapshot

    const phases: Record<string, number> = {}
    const interrupted = new Set<number>()
    let kills = 0
    let rounds = 0
    let runs = 0
    let finishedBeforeKill = 0

    /** Each migration with a tracking row is fully there, each without one fully absent: the database equals the clean one after k. */
    const checkConsistent = async (database: SafetyDatabase, context: string) => {
      await database.settle()
      const history = await database.history()
      expect(
        history.map((row) => [row.version, row.state]),
        context,
      ).toEqual(versions.slice(0, history.length).map((v) => [v, 'applied']))
      const difference = snapshotDifference(await database.snapshot(), reference[history.length] as DatabaseSnapshot)
      expect(difference, `${context}: ${history.length} tracking rows, but ${difference}`).toBeUndefined()
      return history.length
    }

    while (kills < KILLS) {
      rounds++
      const database = await newDatabase()
      const sqlitePragmas: Record<string, string> = dialect === 'sqlite' && random.next() < 0.5 ? { journal_mode: 'WAL' } : {}
      const chain = random.integer(2, 4)
      for (let link = 0; link < chain; link++) {
        const pending = MIGRATIONS - (await database.history()).length
        // Events of a run: ready, lock-acquired, then migrating/migrated per pending migration.
        const afterEvents = random.integer(1, 2 + 2 * pending)
        const delayMs = random.next() * averageMs * 1.5
        const context = `seed ${seed}, round ${rounds}, kill after ${afterEvents} events + ${delayMs.toFixed(1)} ms`
        const runner = new RunnerProcess({ dialect, target: database.target, migrations, sqlitePragmas })
        runs++
        if (await runner.waitForEvents(afterEvents, RUN_GUARD_MS)) await sleep(delayMs)
        if (runner.running) {
          const phase = phaseOf(runner)
          runner.kill()
          const exit = await finish(runner, RUN_GUARD_MS)
          if (exit.signal === 'SIGKILL') {
            kills++
            phases[phase] = (phases[phase] ?? 0) + 1
            const last = runner.events.at(-1)
            if (last?.event === 'migrating' && last.version !== undefined) interrupted.add(last.version)
          } else {
            finishedBeforeKill++
            expect(exit.events.at(-1)?.event, `${context}: ${exit.stderr}`).toBe('done')
          }
        } else {
          finishedBeforeKill++
          const exit = await finish(runner, RUN_GUARD_MS)
          expect([exit.code, exit.events.at(-1)?.event], `${context}: ${exit.stderr}`).toEqual([0, 'done'])
        }
        await checkConsistent(database, context)
      }

      const next = new RunnerProcess({ dialect, target: database.target, migrations, sqlitePragmas })
      runs++
      const exit = await finish(next, RUN_GUARD_MS)
      expect([exit.code, exit.events.at(-1)?.event], `seed ${seed}, round ${rounds}, the run after the kills: ${exit.stderr}`).toEqual([
        0,
        'done',
      ])
      expect(await checkConsistent(database, `seed ${seed}, round ${rounds}, after the finishing run`)).toBe(MIGRATIONS)
      expect(snapshotDifference(await database.snapshot(), finalReference)).toBeUndefined()
      await database.drop()
    }

    figures[dialect] = {
      kills,
      rounds,
      runs,
      finishedBeforeKill,
      phases,
      migrationsInterrupted: interrupted.size,
    }
  }, 600_000)

  it('a runner killed inside a no-transaction migration leaves it recorded as failed, and the next run refuses with PartialMigrationError', async () => {
    const heavyInsert =
      dialect === 'postgres'
        ? 'INSERT INTO outside_log (id) SELECT i FROM generate_series(1, 400000) AS i;'
        : 'INSERT INTO outside_log (id) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) SELECT i FROM n;'
    const migrations = join(folder.path, 'no-transaction')
    await mkdir(migrations, { recursive: true })
    await writeFile(join(migrations, '0001_log.sql'), '-- mig:up\nCREATE TABLE outside_log (id INTEGER NOT NULL);\n')
    await writeFile(
      join(migrations, '0002_outside.sql'),
      `-- mig:no-transaction\n-- mig:up\n${[1, 2, 3, 4].map(() => heavyInsert).join('\n')}\n`,
    )
    await writeFile(join(migrations, '0003_after.sql'), '-- mig:up\nCREATE TABLE after_outside (id INTEGER);\n')
    const database = await newDatabase()
    const runner = new RunnerProcess({ dialect, target: database.target, migrations })
    await runner.waitForEvents(1, RUN_GUARD_MS)
    while (!runner.events.some((event) => event.event === 'migrating' && event.version === 2)) {
      expect(await runner.waitForEvents(runner.events.length + 1, RUN_GUARD_MS)).toBe(true)
    }
    await sleep(150)
    expect(runner.running).toBe(true)
    runner.kill()
    await finish(runner, RUN_GUARD_MS)
    await database.settle()
    expect((await database.history()).map((row) => [row.version, row.state])).toEqual([
      [1, 'applied'],
      [2, 'failed'],
    ])

    const next = await finish(new RunnerProcess({ dialect, target: database.target, migrations }), RUN_GUARD_MS)
    expect([next.code, next.events.at(-1)?.code], next.stderr).toEqual([1, 'MIG_PARTIAL_MIGRATION'])
    expect(next.events.at(-1)?.message).toContain('0002_outside.sql')
    expect((await database.snapshot()).tables.after_outside).toBeUndefined()
    await database.drop()
  })
})
