import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { withClient } from './support/database-snapshot.js'
import { type Dialect, finish, RunnerProcess } from './support/runner-process.js'
import { createPostgresDatabase, createSqliteDatabase, type SafetyDatabase } from './support/safety-database.js'
import { countFailures, reportFigures, temporaryFolder } from './support/suite-results.js'

const PROCESSES = 8
const ROUNDS = Number(process.env.MIG_SAFETY_ROUNDS ?? 20)
const LOCK_TIMEOUT_MS = 60_000
const VERSIONS = [1, 2, 3, 4, 5, 6]
const outcome = { failures: 0 }
const figures: Record<string, unknown> = {}
countFailures(outcome)
afterAll(() =>
  reportFigures('concurrency', {
    processesPerRound: PROCESSES,
    rounds: ROUNDS,
    lockTimeoutMs: LOCK_TIMEOUT_MS,
    ...figures,
    failures: outcome.failures,
  }),
)

/** Small migrations that each log themselves; 4 runs outside a transaction. */
async function writeRaceMigrations(folder: string, dialect: Dialect): Promise<void> {
  await mkdir(folder, { recursive: true })
  await writeFile(join(folder, '0001_applied_log.sql'), '-- mig:up\nCREATE TABLE applied_log (version INTEGER NOT NULL);\n')
  for (const version of [2, 3, 5, 6]) {
    await writeFile(
      join(folder, `000${version}_step_${version}.sql`),
      `-- mig:up\nCREATE TABLE step_${version} (id INTEGER);\nINSERT INTO applied_log (version) VALUES (${version});\n`,
    )
  }
  const outside =
    dialect === 'postgres'
      ? 'CREATE INDEX CONCURRENTLY applied_log_version ON applied_log (version);'
      : 'CREATE INDEX applied_log_version ON applied_log (version);'
  await writeFile(
    join(folder, '0004_outside_transaction.sql'),
    `-- mig:no-transaction\n-- mig:up\n${outside}\nINSERT INTO applied_log (version) VALUES (4);\n`,
  )
}

async function appliedLog(database: SafetyDatabase): Promise<number[]> {
  if (database.dialect === 'sqlite') {
    const handle = new Database(database.target, { fileMustExist: true })
    try {
      return (handle.prepare('SELECT version FROM applied_log ORDER BY version').all() as { version: number }[]).map((row) => row.version)
    } finally {
      handle.close()
    }
  }
  return withClient(database.target, async (client) =>
    (await client.query<{ version: number }>('SELECT version FROM applied_log ORDER BY version')).rows.map((row) => row.version),
  )
}

describe.each(['sqlite', 'postgres'] as const)('concurrent runners on %s', (dialect: Dialect) => {
  let folder: Awaited<ReturnType<typeof temporaryFolder>>
  beforeAll(async () => {
    folder = await temporaryFolder(`race-${dialect}`)
  })
  afterAll(async () => {
    await folder?.remove()
  })

  it(`${PROCESSES} processes running up at once, ${ROUNDS} times: every migration exactly once, every process done within the lock timeout`, async () => {
    const migrations = join(folder.path, 'migrations')
    await writeRaceMigrations(migrations, dialect)
    let slowestMs = 0
    let processes = 0
    let waited = 0
    for (let round = 1; round <= ROUNDS; round++) {
      const database =
        dialect === 'sqlite' ? createSqliteDatabase(folder.path, `round-${round}`) : await createPostgresDatabase(inject('postgresUrl'))
      const started = Date.now()
      const runners = Array.from(
        { length: PROCESSES },
        () => new RunnerProcess({ dialect, target: database.target, migrations, lockTimeoutMs: LOCK_TIMEOUT_MS }),
      )
      // The hang guard: a deadlock or a lost wake-up shows as a runner still alive past the lock timeout.
      const exits = await Promise.all(runners.map((runner) => finish(runner, LOCK_TIMEOUT_MS + 30_000)))
      slowestMs = Math.max(slowestMs, Date.now() - started)
      processes += runners.length
      waited += exits.filter((exit) => exit.events.some((event) => event.event === 'lock-waiting')).length

      for (const exit of exits) {
        expect([exit.code, exit.events.at(-1)?.event], `round ${round}: ${JSON.stringify(exit.events.at(-1))} ${exit.stderr}`).toEqual([
          0,
          'done',
        ])
      }
      const applied = exits.flatMap((exit) => exit.events.at(-1)?.applied ?? []).sort((a, b) => a - b)
      expect(applied, `round ${round}: versions applied across all runners`).toEqual(VERSIONS)
      expect(await appliedLog(database), `round ${round}: what the migrations themselves logged`).toEqual(VERSIONS.slice(1))
      const history = await database.history()
      expect(history.map((row) => [row.version, row.state])).toEqual(VERSIONS.map((version) => [version, 'applied']))
      await database.drop()
    }
    figures[dialect] = { processes, processesThatWaitedForTheLock: waited, migrationsPerRound: VERSIONS.length, slowestRoundMs: slowestMs }
  })
})
