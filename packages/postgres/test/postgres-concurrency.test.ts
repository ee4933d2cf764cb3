import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fromList, LockTimeoutError, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { describe, expect, it } from 'vitest'
import { sql, until, useDatabase } from './support/postgres-test-database.js'

const child = fileURLToPath(new URL('./fixtures/migrate-child.ts', import.meta.url))
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url))
// Maps @mig/core and @mig/postgres to their sources, so the child needs no build.
const childTsconfig = fileURLToPath(new URL('./fixtures/tsconfig.json', import.meta.url))

interface Finished {
  readonly code: number | null
  readonly output: string
}

function startRunner(mode: 'race' | 'hold', url: string): { process: ChildProcess; finished: Promise<Finished>; output: () => string } {
  const runner = spawn(process.execPath, ['--import', 'tsx', child, mode], {
    cwd: repositoryRoot,
    env: { ...process.env, MIG_CHILD_DATABASE_URL: url, TSX_TSCONFIG_PATH: childTsconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  runner.stdout?.on('data', (chunk) => {
    output += chunk
  })
  runner.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const finished = new Promise<Finished>((resolve) => runner.on('close', (code) => resolve({ code, output })))
  return { process: runner, finished, output: () => output }
}

describe('runners in separate processes', () => {
  const database = useDatabase()

  it('eight processes running up at once apply every migration exactly once', async () => {
    const runners = Array.from({ length: 8 }, () => startRunner('race', database.url))
    const results = await Promise.all(runners.map((runner) => runner.finished))

    for (const result of results) expect(result.code, result.output).toBe(0)
    const applied = results.flatMap((result) => {
      const line = result.output.split('\n').find((candidate) => candidate.startsWith('{"applied"'))
      return line ? (JSON.parse(line).applied as number[]) : []
    })
    expect(applied.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6])
    const log = await sql<{ version: number }>(database.url, 'SELECT version FROM applied_log ORDER BY version')
    expect(log.map((row) => row.version)).toEqual([2, 3, 4, 5, 6])
    const history = await sql<{ version: string; state: string }>(
      database.url,
      'SELECT version, state FROM mig_migrations ORDER BY version',
    )
    expect(history.map((row) => [Number(row.version), row.state])).toEqual([1, 2, 3, 4, 5, 6].map((version) => [version, 'applied']))
    const [index] = await sql<{ valid: boolean }>(
      database.url,
      "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'applied_log_version_idx'::regclass",
    )
    expect(index?.valid).toBe(true)
  }, 120_000)

  it('a runner killed while holding the lock leaves it to the next runner, which finishes', async () => {
    await sql(database.url, 'DROP TABLE mig_migrations')
    const killed = startRunner('hold', database.url)
    await until(() => killed.output().includes('migrating 1'), 30_000)

    const waiting = new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ version: 1, name: 'after_kill', up: 'CREATE TABLE after_kill (id INT)' }]),
      lockTimeoutMs: 200,
    })
    const busy = await waiting.up().catch((error: unknown) => error)
    expect(busy).toBeInstanceOf(LockTimeoutError)
    expect((busy as LockTimeoutError).holder).toMatchObject({ applicationName: 'mig', pid: expect.any(Number) })

    killed.process.kill('SIGKILL')
    await killed.finished
    const started = Date.now()
    const next = new Migrator({
      driver: postgresDriver({ connectionString: database.url }),
      source: fromList([{ version: 1, name: 'after_kill', up: 'CREATE TABLE after_kill (id INT)' }]),
      lockTimeoutMs: 20_000,
    })
    const result = await next.up()
    expect(result.migrations.map((migration) => migration.version)).toEqual([1])
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(await sql(database.url, "SELECT state FROM mig_migrations WHERE name = 'after_kill'")).toEqual([{ state: 'applied' }])
  }, 60_000)
})
