import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type FleetEvent,
  type FleetTarget,
  fromList,
  InvalidOptionsError,
  isInShard,
  type MigrateResult,
  migrateFleet,
  runFleet,
  UnknownVersionError,
} from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

interface Tenant extends FleetTarget {
  readonly file: string
}

const migrations = [
  { version: 1, name: 'create_users', up: 'CREATE TABLE users (id INTEGER PRIMARY KEY)', down: 'DROP TABLE users' },
  { version: 2, name: 'add_email', up: 'ALTER TABLE users ADD COLUMN email TEXT', down: 'ALTER TABLE users DROP COLUMN email' },
]
const source = fromList(migrations)

let folder: string

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-fleet-'))
})

afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

const tenants = (count: number, server?: (index: number) => string): Tenant[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `tenant-${index}`,
    file: join(folder, `tenant-${index}.db`),
    server: server?.(index),
  }))

const driver = (tenant: Tenant) => sqliteDriver({ filename: tenant.file })

async function appliedVersions(tenant: Tenant): Promise<number[]> {
  const session = await driver(tenant).connect()
  try {
    const rows = await session.query<{ version: number }>('SELECT version FROM mig_migrations ORDER BY version')
    return rows.map((row) => Number(row.version))
  } catch {
    return []
  } finally {
    await session.close()
  }
}

/** Breaks a tenant: a table the first migration creates already exists there. */
async function breakTenant(tenant: Tenant): Promise<void> {
  const session = await driver(tenant).connect()
  await session.runScript('CREATE TABLE users (other TEXT)')
  await session.close()
}

describe('migrateFleet', () => {
  it('migrates every target with its own history, and a re-run does nothing', async () => {
    const fleet = tenants(12)
    const first = await migrateFleet({ targets: fleet, driver, source, concurrency: 3 })
    expect(first).toMatchObject({ done: 12, failed: 0, unreachable: 0, cancelled: 0, failures: [], stopped: undefined })
    for (const tenant of fleet) expect(await appliedVersions(tenant)).toEqual([1, 2])

    const results: MigrateResult[] = []
    const again = await migrateFleet({
      targets: fleet,
      driver,
      source,
      onEvent: (event) => {
        if (event.type === 'target-finished' && event.outcome.state === 'done') results.push(event.outcome.result)
      },
    })
    expect(again.done).toBe(12)
    expect(results.every((result) => result.migrations.length === 0)).toBe(true)
  })

  it('applies the repeatable migrations on every target too', async () => {
    const fleet = tenants(3)
    const withView = fromList([...migrations, { file: 'repeatable/views.sql', content: 'CREATE VIEW user_ids AS SELECT id FROM users;\n' }])
    expect(await migrateFleet({ targets: fleet, driver, source: withView })).toMatchObject({ done: 3, failed: 0 })
    for (const tenant of fleet) {
      const session = await driver(tenant).connect()
      try {
        expect(await session.query("SELECT name FROM sqlite_master WHERE type = 'view'")).toEqual([{ name: 'user_ids' }])
      } finally {
        await session.close()
      }
    }
  })

  it("reports each target's warnings as a single run's Migrator gives them, naming the target", async () => {
    const fleet = tenants(2)
    const withPragma = fromList([
      ...migrations,
      { version: 3, name: 'pragma', up: 'PRAGMA foreign_keys = ON;\nCREATE TABLE posts (id INTEGER);' },
    ])
    const warnings: { id: string; file: string | undefined; message: string }[] = []
    const result = await migrateFleet({
      targets: fleet,
      driver,
      source: withPragma,
      onEvent: (event) => {
        if (event.type === 'target-warning') warnings.push({ id: event.target.id, file: event.migration?.file, message: event.message })
      },
    })
    expect(result.done).toBe(2)
    expect(warnings.map((warning) => [warning.id, warning.file]).sort()).toEqual([
      ['tenant-0', '3_pragma'],
      ['tenant-1', '3_pragma'],
    ])
    expect(warnings[0]?.message).toMatch(/^PRAGMA foreign_keys has no effect inside a transaction/)
  })

  it('a broken target fails alone when the fleet goes on', async () => {
    const fleet = tenants(6)
    await breakTenant(fleet[2] as Tenant)
    const result = await migrateFleet({ targets: fleet, driver, source, onFailure: 'continue' })
    expect(result).toMatchObject({ done: 5, failed: 1, stopped: undefined })
    expect(result.failures.map((failure) => [failure.target.id, failure.state])).toEqual([['tenant-2', 'failed']])
    expect(result.failures[0]).toMatchObject({ error: { code: 'MIG_MIGRATION_FAILED' } })
    expect(await appliedVersions(fleet[2] as Tenant)).toEqual([])
    for (const tenant of fleet.filter((_, index) => index !== 2)) expect(await appliedVersions(tenant)).toEqual([1, 2])
  })

  it('stops starting targets after the first failure by default', async () => {
    const fleet = tenants(6)
    await breakTenant(fleet[0] as Tenant)
    const result = await migrateFleet({ targets: fleet, driver, source, concurrency: 1 })
    expect(result).toMatchObject({ done: 0, failed: 1, stopped: 'failure' })
    for (const tenant of fleet.slice(1)) expect(await appliedVersions(tenant)).toEqual([])
  })

  it('a failure on the last target stops nothing: every target was taken', async () => {
    const fleet = tenants(3)
    await breakTenant(fleet[2] as Tenant)
    const events: FleetEvent<Tenant, MigrateResult>[] = []
    const result = await migrateFleet({ targets: fleet, driver, source, concurrency: 1, onEvent: (event) => events.push(event) })
    expect(result).toMatchObject({ done: 2, failed: 1, stopped: undefined })
    expect(events.filter((event) => event.type === 'target-started')).toHaveLength(3)
    expect(await migrateFleet({ targets: fleet.slice(2), driver, source, canary: 1 })).toMatchObject({ failed: 1, stopped: undefined })
  })

  it('a failing canary stops the fleet, whatever onFailure says', async () => {
    const fleet = tenants(8)
    await breakTenant(fleet[1] as Tenant)
    const events: FleetEvent<Tenant, MigrateResult>[] = []
    const result = await migrateFleet({
      targets: fleet,
      driver,
      source,
      canary: 2,
      concurrency: 4,
      onFailure: 'continue',
      onEvent: (event) => events.push(event),
    })
    expect(result).toMatchObject({ done: 1, failed: 1, stopped: 'canary' })
    expect(events.filter((event) => event.type === 'target-started')).toHaveLength(2)
    expect(events).toContainEqual({ type: 'fleet-stopping', reason: 'canary' })
  })

  it('a passing canary goes on to the rest', async () => {
    const fleet = tenants(5)
    expect(await migrateFleet({ targets: fleet, driver, source, canary: 2 })).toMatchObject({ done: 5, stopped: undefined })
  })

  it('never runs more targets at once than the concurrency, nor more on one server than its cap', async () => {
    const fleet = tenants(16, (index) => `server-${index % 2}`)
    let running = 0
    let mostRunning = 0
    const perServer = new Map<string, number>()
    let mostOnOneServer = 0
    const result = await runFleet({ targets: fleet, driver, source, concurrency: 6, perServer: 2 }, async (migrator, target) => {
      running++
      perServer.set(target.server as string, (perServer.get(target.server as string) ?? 0) + 1)
      mostRunning = Math.max(mostRunning, running)
      mostOnOneServer = Math.max(mostOnOneServer, ...perServer.values())
      try {
        return await migrator.up()
      } finally {
        running--
        perServer.set(target.server as string, (perServer.get(target.server as string) ?? 0) - 1)
      }
    })
    expect(result.done).toBe(16)
    expect(mostRunning).toBeLessThanOrEqual(4)
    expect(mostOnOneServer).toBeLessThanOrEqual(2)
  })

  it('takes targets from an async iterable, one at a time', async () => {
    const fleet = tenants(5)
    let pulled = 0
    async function* stream() {
      for (const tenant of fleet) {
        pulled++
        yield tenant
      }
    }
    expect(await migrateFleet({ targets: stream(), driver, source, concurrency: 2 })).toMatchObject({ done: 5 })
    expect(pulled).toBe(5)
  })

  it('splits a fleet into disjoint shards that cover it', async () => {
    const fleet = tenants(40)
    const seen: string[] = []
    for (let index = 1; index <= 3; index++) {
      await runFleet({ targets: fleet, driver, source, shard: { index, count: 3 } }, async (_migrator, target) => {
        seen.push(target.id)
        expect(isInShard(target.id, { index, count: 3 })).toBe(true)
      })
    }
    expect(seen.sort()).toEqual(fleet.map((tenant) => tenant.id).sort())
    expect(isInShard('anything', { index: 1, count: 1 })).toBe(true)
  })

  it('retries an unreachable target with back-off, and it completes once reachable', async () => {
    const missing = join(folder, 'not-yet')
    const tenant: Tenant = { id: 'late', file: join(missing, 'late.db') }
    const events: string[] = []
    const result = await migrateFleet({
      targets: [tenant],
      driver,
      source,
      retries: 3,
      retryDelayMs: 5,
      onEvent: async (event) => {
        events.push(event.type)
        if (event.type === 'target-retrying' && event.attempt === 2) await mkdir(missing)
      },
    })
    expect(result).toMatchObject({ done: 1, unreachable: 0 })
    expect(events.filter((type) => type === 'target-retrying')).toHaveLength(2)
    expect(await appliedVersions(tenant)).toEqual([1, 2])
  })

  it('reports a target as unreachable once its retries are spent', async () => {
    const tenant: Tenant = { id: 'gone', file: join(folder, 'no-such-folder', 'gone.db') }
    const result = await migrateFleet({ targets: [tenant], driver, source, retries: 1, retryDelayMs: 1 })
    expect(result).toMatchObject({ done: 0, unreachable: 1, stopped: undefined })
    expect(result.failures[0]).toMatchObject({ state: 'unreachable', attempts: 2, error: { code: 'MIG_DATABASE_ERROR' } })
  })

  it('gives up a target waiting for its retry when the fleet stops', async () => {
    const gone: Tenant = { id: 'gone', file: join(folder, 'no-such-folder', 'gone.db') }
    const [broken] = tenants(1) as [Tenant]
    await breakTenant(broken)
    const result = await migrateFleet({ targets: [gone, broken], driver, source, concurrency: 1, retries: 5, retryDelayMs: 60_000 })
    expect(result.failures.map((failure) => [failure.target.id, failure.state])).toEqual([
      ['tenant-0', 'failed'],
      ['gone', 'unreachable'],
    ])
  })

  it('an aborted fleet starts nothing more and its running targets stop between migrations', async () => {
    const fleet = tenants(10)
    const controller = new AbortController()
    const result = await migrateFleet({
      targets: fleet,
      driver,
      source,
      concurrency: 1,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'target-finished' && event.outcome.target.id === 'tenant-2') controller.abort()
      },
    })
    expect(result).toMatchObject({ done: 3, stopped: 'aborted' })
    expect(await appliedVersions(fleet[3] as Tenant)).toEqual([])

    const running = new AbortController()
    const only: Tenant = { id: 'fresh', file: join(folder, 'fresh.db') }
    const cancelled = await runFleet({ targets: [only], driver, source, signal: running.signal }, (migrator, _target, run) => {
      running.abort()
      return migrator.up(run)
    })
    expect(cancelled).toMatchObject({ cancelled: 1, stopped: 'aborted' })
    expect(cancelled.failures[0]).toMatchObject({ state: 'cancelled', error: { code: 'MIG_ABORTED' } })
  })

  it('a stop signal after every target started stops nothing: stopped stays undefined, and the targets finish', async () => {
    const fleet = tenants(3)
    const controller = new AbortController()
    let release = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let started = 0
    // As many slots as targets: the last start fills them, and the list is read ahead to learn it is used up.
    const result = await runFleet(
      {
        targets: fleet,
        driver,
        source,
        concurrency: 3,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'target-started' && ++started === fleet.length) {
            setImmediate(() => {
              controller.abort()
              release()
            })
          }
        },
      },
      // The work ignores the signal, so each target finishes after it came.
      async (migrator) => {
        await released
        return migrator.up({ to: 1 })
      },
    )
    expect(result).toMatchObject({ done: 3, cancelled: 0, stopped: undefined })
    for (const tenant of fleet) expect(await appliedVersions(tenant)).toEqual([1])
  })

  it('an aborted fleet does not wait for a stream that has no next target yet (standard input left open)', async () => {
    const [first] = tenants(1) as [Tenant]
    const controller = new AbortController()
    let release = () => {}
    async function* stalled() {
      yield first
      // Like `--targets -` reading a pipe that stays open: the next line never comes.
      await new Promise<void>((resolve) => {
        release = resolve
      })
    }
    try {
      const result = await Promise.race([
        migrateFleet({
          targets: stalled(),
          driver,
          source,
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'target-finished') setTimeout(() => controller.abort(), 50)
          },
        }),
        new Promise((resolve) => setTimeout(() => resolve('still waiting for the stream'), 3_000)),
      ])
      expect(result).toMatchObject({ done: 1, stopped: 'aborted' })
      expect(await appliedVersions(first)).toEqual([1, 2])
    } finally {
      release()
    }
  })

  it('a cancel reaches the running target, which stops at once, and starts no other', async () => {
    const fleet = tenants(4)
    const cancel = new AbortController()
    // The cancel comes while the first target runs its first migration. SQLite cannot cancel a
    // statement, so it runs to its end; then the migration is rolled back and the target stops.
    const cancelledMidway = fromList([
      {
        file: '0001_create_users.mjs',
        content: 'cancelled midway',
        module: {
          up: async ({ run }: { run: (sql: string) => Promise<void> }) => {
            cancel.abort()
            await run('CREATE TABLE users (id INTEGER PRIMARY KEY)')
          },
        },
      },
      migrations[1] as (typeof migrations)[number],
    ])
    const result = await migrateFleet({ targets: fleet, driver, source: cancelledMidway, concurrency: 1, cancelSignal: cancel.signal })
    expect(result).toMatchObject({ done: 0, cancelled: 1, stopped: 'aborted' })
    expect(result.failures[0]).toMatchObject({
      target: { id: 'tenant-0' },
      state: 'cancelled',
      error: { code: 'MIG_ABORTED', interrupted: { migration: { version: 1 }, rolledBack: true } },
    })
    expect(await appliedVersions(fleet[0] as Tenant)).toEqual([])
    for (const tenant of fleet.slice(1)) expect(await appliedVersions(tenant)).toEqual([])
  })

  it('a target whose driver cannot be made fails alone', async () => {
    const fleet = tenants(2)
    const result = await migrateFleet({
      targets: fleet,
      driver: (tenant) => {
        if (tenant.id === 'tenant-0') throw new InvalidOptionsError('no such tenant')
        return driver(tenant)
      },
      source,
      onFailure: 'continue',
    })
    expect(result).toMatchObject({ done: 1, failed: 1 })
  })

  it('a problem every target shares stops the fleet and is thrown', async () => {
    const fleet = tenants(4)
    await expect(migrateFleet({ targets: fleet, driver, source, to: 9, onFailure: 'continue', concurrency: 1 })).rejects.toThrow(
      UnknownVersionError,
    )
    expect(await appliedVersions(fleet[1] as Tenant)).toEqual([])
    await expect(migrateFleet({ targets: fleet, driver, source, schema: 'tenant' })).rejects.toThrow(/no schemas/)
  })

  it('reverts on every target', async () => {
    const fleet = tenants(3)
    await migrateFleet({ targets: fleet, driver, source })
    expect(await migrateFleet({ targets: fleet, driver, source, direction: 'down', all: true })).toMatchObject({ done: 3 })
    for (const tenant of fleet) expect(await appliedVersions(tenant)).toEqual([])
  })

  it('refuses bad options before touching any target', async () => {
    const fleet = tenants(1)
    const bad = [
      () => migrateFleet({ targets: fleet, driver, source, concurrency: 0 }),
      () => migrateFleet({ targets: fleet, driver, source, onFailure: 'maybe' as 'stop' }),
      () => migrateFleet({ targets: fleet, driver, source, shard: { index: 0, count: 2 } }),
      () => migrateFleet({ targets: fleet, driver, source, all: true }),
      () => migrateFleet({ targets: fleet, driver, source, direction: 'sideways' as 'up' }),
      () => migrateFleet({ targets: fleet, driver, source, direction: 'down', all: true, step: 1 }),
      // Each target would revert its own newest: targets at different versions would not end at one.
      () => migrateFleet({ targets: fleet, driver, source, direction: 'down' }),
      () => migrateFleet({ targets: fleet, driver, source, direction: 'down', step: 1 }),
      () => migrateFleet({ targets: fleet, driver, source, table: 'bad name' }),
      () => migrateFleet({ targets: undefined as unknown as Tenant[], driver, source }),
      () => migrateFleet({ targets: fleet, driver: undefined as unknown as typeof driver, source }),
      () => migrateFleet({ targets: fleet, driver, source: undefined as unknown as typeof source }),
      () => migrateFleet({ targets: [{ id: '' } as Tenant], driver, source }),
    ]
    for (const attempt of bad) await expect(attempt()).rejects.toThrow(InvalidOptionsError)
    expect(await appliedVersions(fleet[0] as Tenant)).toEqual([])
  })

  it('refuses a target listed twice: an array before any target starts, a stream when it reaches the repeat', async () => {
    const [first, second] = tenants(2) as [Tenant, Tenant]
    await expect(migrateFleet({ targets: [first, second, { ...first }], driver, source })).rejects.toThrow(
      `Fleet target ${first.id} is listed twice`,
    )
    expect(await appliedVersions(first)).toEqual([])
    async function* streamed() {
      yield first
      yield { ...first }
      yield second
    }
    await expect(migrateFleet({ targets: streamed(), driver, source, concurrency: 1 })).rejects.toThrow(InvalidOptionsError)
    expect(await appliedVersions(second)).toEqual([])
  })
})
