import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrationsFolder, query } from '../repro/mig-cli.js'

const MIG = join(dirname(createRequire(import.meta.url).resolve('@mig/cli/package.json')), 'bin', 'mig.js')
const MIGRATIONS = 6
const seed = Number(process.env.MIG_SIGNALS_SEED ?? Date.now() % 1_000_000)
console.log(`[topology] signals seed ${seed} (replay with MIG_SIGNALS_SEED=${seed})`)
let state = seed
/** A small seeded generator (LCG), so a failing schedule can be replayed. */
const random = () => {
  state = (state * 1_103_515_245 + 12_345) % 2 ** 31
  return state / 2 ** 31
}

type Dialect = 'sqlite' | 'postgres'
type Plan = 'SIGINT' | 'SIGTERM' | 'SIGINT twice'
const EXIT: Record<Plan, number> = { SIGINT: 130, SIGTERM: 143, 'SIGINT twice': 130 }

/** Each migration takes a few hundred milliseconds, so a signal lands inside one or between two. */
function files(dialect: Dialect): Record<string, string> {
  const slow =
    dialect === 'postgres'
      ? 'SELECT pg_sleep(0.3);'
      : 'SELECT count(*) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000) SELECT i FROM n);'
  return Object.fromEntries(
    Array.from({ length: MIGRATIONS }, (_, index) => {
      const version = index + 1
      return [
        `000${version}_step_${version}.sql`,
        `-- mig:up\nCREATE TABLE step_${version} (id INTEGER);\n${slow}\nINSERT INTO step_${version} VALUES (${version});\n-- mig:down\nDROP TABLE step_${version};\n${slow}\n`,
      ]
    }),
  )
}

interface Exit {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

function mig(args: string[]): { child: ChildProcess; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [MIG, ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
  return { child, exited }
}

describe.each(['postgres', 'sqlite'] as const)('signals on %s', (dialect) => {
  let migrations: Awaited<ReturnType<typeof migrationsFolder>>
  let sqliteFolder: Awaited<ReturnType<typeof migrationsFolder>>
  let databases = 0
  beforeAll(async () => {
    migrations = await migrationsFolder(files(dialect))
    sqliteFolder = await migrationsFolder({})
  })
  afterAll(async () => {
    await migrations?.remove()
    await sqliteFolder?.remove()
  })

  async function newDatabase(): Promise<{
    url: string
    tables: () => Promise<string[]>
    history: () => Promise<string[]>
    pg?: TestDatabase
  }> {
    if (dialect === 'postgres') {
      const pg = await createTestDatabase(inject('postgresUrl'))
      return {
        url: pg.url,
        pg,
        tables: async () =>
          (await query<{ name: string }>(pg.url, "SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'step_%' ORDER BY 1")).map(
            (row) => row.name,
          ),
        history: async () =>
          (
            await query<{ row: string }>(pg.url, "SELECT version || ':' || state AS row FROM mig_migrations ORDER BY version").catch(
              () => [],
            )
          ).map((row) => row.row),
      }
    }
    const file = join(sqliteFolder.path, `signals-${++databases}.db`)
    const read = async <T>(sql: string): Promise<T[]> => {
      const { default: Database } = await import('better-sqlite3')
      const handle = new Database(file, { timeout: 10_000 })
      try {
        return handle.prepare(sql).all() as T[]
      } catch {
        return []
      } finally {
        handle.close()
      }
    }
    return {
      url: `sqlite:${file}`,
      tables: async () =>
        (await read<{ name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 'step_%' ORDER BY 1")).map((row) => row.name),
      history: async () =>
        (await read<{ row: string }>("SELECT version || ':' || state AS row FROM mig_migrations ORDER BY version")).map((row) => row.row),
    }
  }

  it.each([
    ['up', 'SIGINT'],
    ['up', 'SIGTERM'],
    ['up', 'SIGINT twice'],
    ['down', 'SIGINT'],
    ['down', 'SIGTERM'],
    ['down', 'SIGINT twice'],
  ] as const)('%s interrupted by %s at a random point: consistent state, documented exit code, one JSON document, nothing left running', async (direction, plan) => {
    const database = await newDatabase()
    try {
      const base = ['--url', database.url, '--dir', migrations.path]
      if (direction === 'down') expect((await mig(['up', ...base]).exited).code).toBe(0)
      const run = mig(direction === 'up' ? ['up', ...base] : ['down', '--all', ...base])
      const delayMs = Math.round(300 + random() * 1_800)
      await sleep(delayMs)
      const signal = plan === 'SIGTERM' ? 'SIGTERM' : 'SIGINT'
      run.child.kill(signal)
      if (plan === 'SIGINT twice') {
        await sleep(Math.round(random() * 200))
        run.child.kill(signal)
      }
      const exit = await run.exited
      const document = JSON.parse(exit.stdout) as { ok: boolean; error?: { code: string } }
      if (document.ok) expect(exit.code).toBe(0)
      else expect([exit.code, document.error?.code], exit.stdout + exit.stderr).toEqual([EXIT[plan], 'MIG_ABORTED'])

      // Every migration is either applied with its row or absent without one, in order.
      const tables = await database.tables()
      const history = await database.history()
      expect(history).toEqual(tables.map((table) => `${table.replace('step_', '')}:applied`))
      expect(tables).toEqual(Array.from({ length: tables.length }, (_, index) => `step_${index + 1}`))

      if (database.pg) {
        const pg = database.pg
        const leftovers = async () =>
          query<{ count: number }>(
            inject('postgresUrl'),
            `SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'mig')
                  + (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = $1 AND l.locktype = 'advisory')
                 AS count`,
            [pg.name],
          )
        // The server may take a moment to see a closed connection go.
        for (let tries = 0; Number((await leftovers())[0]?.count) > 0 && tries < 50; tries++) await sleep(100)
        expect(Number((await leftovers())[0]?.count)).toBe(0)
      }
      // The lock is free: the next run takes it at once and finishes the job.
      const next = await mig(direction === 'up' ? ['up', ...base, '--lock-wait', '5'] : ['down', '--all', ...base, '--lock-wait', '5'])
        .exited
      expect(next.code, next.stdout).toBe(0)
      expect(await database.history()).toEqual(
        direction === 'up' ? Array.from({ length: MIGRATIONS }, (_, index) => `${index + 1}:applied`) : [],
      )
    } finally {
      await database.pg?.drop()
    }
  })
})

describe('signals during a -- mig:no-transaction migration on postgres', () => {
  it('the first says that a second one may leave it part-way, and the second does: it is recorded as failed', async () => {
    const migrations = await migrationsFolder({
      '0001_outside.sql':
        '-- mig:no-transaction\n-- mig:up\nCREATE TABLE outside_one (id INTEGER);\nSELECT pg_sleep(30);\nCREATE TABLE outside_two (id INTEGER);\n',
    })
    const database = await createTestDatabase(inject('postgresUrl'))
    try {
      const run = mig(['up', '--url', database.url, '--dir', migrations.path])
      let stderr = ''
      run.child.stderr?.on('data', (chunk: string) => {
        stderr += chunk
      })
      for (let tries = 0; !stderr.includes('Received SIGTERM:'); tries++) {
        const sleeping = await query(
          database.url,
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(30);'",
        )
        if (sleeping.length && !stderr.includes('Received')) run.child.kill('SIGTERM')
        if (tries > 300) throw new Error(`mig never reached its long statement: ${stderr}`)
        await sleep(100)
      }
      expect(stderr).toContain(
        'Send it again to cancel that migration (it is rolled back; one outside a transaction may be left part-way and is recorded as failed).',
      )
      run.child.kill('SIGTERM')
      const exit = await run.exited
      const document = JSON.parse(exit.stdout) as { error: { code: string; interrupted: { rolledBack: boolean } } }
      expect([exit.code, document.error.code, document.error.interrupted.rolledBack]).toEqual([143, 'MIG_ABORTED', false])
      const left = await query<{ state: string }>(database.url, 'SELECT state FROM mig_migrations')
      const tables = await query<{ name: string }>(database.url, "SELECT tablename AS name FROM pg_tables WHERE tablename LIKE 'outside_%'")
      expect([left, tables]).toEqual([[{ state: 'failed' }], [{ name: 'outside_one' }]])
    } finally {
      await database.drop()
      await migrations.remove()
    }
  })
})
