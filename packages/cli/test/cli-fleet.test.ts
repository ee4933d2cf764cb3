import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { type EmbeddedTestPostgresServer, startEmbeddedPostgres } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { queryRows } from './database-state.ts'
import { jsonLines, onServer, postgresVersions, runFleetMig, sqliteVersion } from './fleet-support.ts'
import { SQL, temporaryDirectory } from './run-mig.ts'

const SQLITE_TENANTS = 1_000
/**
 * 200 databases over two servers. The usual server syncs to disk, where CREATE DATABASE costs
 * about half a second; the throwaway one runs with fsync off and takes the larger share.
 */
const DATABASES_ON_LOCAL = 40
const DATABASES_ON_THROWAWAY = 160
const LONG = 300_000

let project: { path: string; remove: () => Promise<void> }
/** The run's test server; the throwaway one is this file's own, so the fleet spans two servers. */
let local: { readonly url: string }
let throwaway: EmbeddedTestPostgresServer
const databases = new Map<string, string[]>()
const runName = `mig_fleet_${randomBytes(3).toString('hex')}`

const tenantFile = (index: number) => join(project.path, 'tenants', `t${String(index).padStart(4, '0')}.db`)
const databaseUrl = (serverUrl: string, name: string) => Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString()
const mig = (...args: string[]) => runFleetMig(args, { cwd: project.path })

beforeAll(async () => {
  project = await temporaryDirectory('fleet')
  await mkdir(join(project.path, 'migrations'))
  await mkdir(join(project.path, 'tenants'))
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
  await writeFile(join(project.path, 'migrations', '0002_add_email.sql'), SQL.addEmail)
  // An empty file is an empty SQLite database: the fleet is built in bulk, without opening each one.
  for (let index = 1; index <= SQLITE_TENANTS; index++) await writeFile(tenantFile(index), '')
  local = { url: inject('postgresUrl') }
  throwaway = await startEmbeddedPostgres()
  await Promise.all(
    [local, throwaway].map(async (server) => {
      const count = server === local ? DATABASES_ON_LOCAL : DATABASES_ON_THROWAWAY
      const names = Array.from({ length: count }, (_, index) => `${runName}_${index}`)
      await onServer(
        server.url,
        names.map((name) => `CREATE DATABASE ${name}`),
      )
      databases.set(server.url, names)
    }),
  )
  const urls = [local, throwaway].flatMap((server) => (databases.get(server.url) ?? []).map((name) => databaseUrl(server.url, name)))
  await writeFile(join(project.path, 'postgres-targets.txt'), `# ${urls.length} tenants over two servers\n${urls.join('\n')}\n`)
}, LONG)

afterAll(async () => {
  // The throwaway server goes with its databases.
  const names = local ? (databases.get(local.url) ?? []) : []
  await onServer(
    local.url,
    names.map((name) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  ).catch(() => {})
  await throwaway?.stop()
  await project?.remove()
}, LONG)

describe('mig up --fleet over 1,000 SQLite tenant files', () => {
  it(
    'migrates them all; a tenant with a broken migration fails alone, is reported, and its resume command is printed',
    async () => {
      const broken = tenantFile(500)
      await queryRows(sqliteDriver({ filename: broken }), 'CREATE TABLE users (name TEXT)')

      const run = await mig('up', '--fleet', '--targets', 'sqlite:./tenants/*.db', '--keep-going', '--concurrency', '4', '--json')
      expect(run.exitCode).toBe(1)
      const { targets, summary } = jsonLines(run)
      expect(targets).toHaveLength(SQLITE_TENANTS)
      expect(summary).toMatchObject({ ok: false, command: 'up', fleet: { done: 999, failed: 1, unreachable: 0, stopped: null } })
      expect(summary.fleet.failures).toEqual([{ target: 'sqlite:./tenants/t0500.db', state: 'failed' }])
      expect(summary.fleet.resume).toContain('--only sqlite:./tenants/t0500.db')
      const failed = targets.find((line) => line.state === 'failed')
      expect(failed).toMatchObject({ target: 'sqlite:./tenants/t0500.db', error: { code: 'MIG_MIGRATION_FAILED', rolledBack: true } })
      for (let index = 1; index <= SQLITE_TENANTS; index++) expect(await sqliteVersion(tenantFile(index))).toBe(index === 500 ? 0 : 2)
    },
    LONG,
  )

  it(
    'a re-run changes nothing on the targets that are up to date',
    async () => {
      const run = await mig('up', '--fleet', '--targets', 'sqlite:./tenants/*.db', '--keep-going', '--json')
      const { targets, summary } = jsonLines(run)
      expect(summary.fleet).toMatchObject({ done: 999, failed: 1 })
      expect(targets.filter((line) => line.state === 'done').every((line) => line.migrations.length === 0)).toBe(true)
    },
    LONG,
  )

  it(
    'status --fleet groups the targets by version',
    async () => {
      const run = await mig('status', '--fleet', '--targets', 'sqlite:./tenants/*.db')
      expect(run.exitCode).toBe(0)
      expect(run.stdout).toContain('999 targets at 0002, 1 with no migration applied: sqlite:./tenants/t0500.db')
    },
    LONG,
  )

  it(
    'shards split the fleet into disjoint slices that cover it',
    async () => {
      const seen: string[] = []
      for (const shard of ['1/3', '2/3', '3/3']) {
        const run = await mig('validate', '--fleet', '--targets', 'sqlite:./tenants/t00*.db', '--shard', shard, '--json')
        seen.push(...jsonLines(run).targets.map((line) => line.target))
      }
      expect(seen).toHaveLength(99)
      expect(new Set(seen).size).toBe(99)
    },
    LONG,
  )
})

describe('mig up --fleet over 200 PostgreSQL databases on two servers', () => {
  it(
    'migrates them all, never holding more connections on one server than the cap allows',
    async () => {
      const mostConnections = new Map<string, number>()
      let sampling = true
      const sample = async (server: { readonly url: string }) => {
        // The sampler's own connection is to the postgres database, outside the fleet.
        const session = await postgresDriver({ connectionString: server.url }).connect()
        try {
          while (sampling) {
            const [row] = await session.query<{ count: number }>(
              "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname LIKE $1 AND application_name = 'mig'",
              [`${runName}\\_%`],
            )
            mostConnections.set(server.url, Math.max(mostConnections.get(server.url) ?? 0, row?.count ?? 0))
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
        } finally {
          await session.close()
        }
      }
      const samplers = [local, throwaway].map(sample)
      const run = await mig('up', '--fleet', '--targets', '@postgres-targets.txt', '--concurrency', '8', '--per-server', '3', '--json')
      sampling = false
      await Promise.all(samplers)
      const { targets, summary } = jsonLines(run)
      expect(summary.fleet).toMatchObject({ done: 200, failed: 0, unreachable: 0 })
      expect(run.exitCode).toBe(0)
      expect(targets.every((line) => line.migrations.length === 2)).toBe(true)
      for (const server of [local, throwaway]) {
        expect([...(await postgresVersions(server.url, databases.get(server.url) ?? [])).values()].every((version) => version === 2)).toBe(
          true,
        )
        // A running PostgreSQL target holds at most two connections: its migrations and its lock.
        expect(mostConnections.get(server.url)).toBeLessThanOrEqual(6)
      }
      expect(`${run.stdout}${run.stderr}`).not.toContain(new URL(throwaway.url).password)
    },
    LONG,
  )

  it(
    'a server stopped mid-run makes its targets unreachable while the others finish; after it returns, the resume completes what is left',
    async () => {
      await writeFile(
        join(project.path, 'migrations', '0003_slow_backfill.sql'),
        '-- mig:up\nSELECT pg_sleep(0.05);\n-- mig:down\nSELECT 1;\n',
      )
      const throwawayPort = new URL(throwaway.url).port
      let finished = 0
      let halting: Promise<void> | undefined
      const run = await runFleetMig(
        [
          'up',
          '--fleet',
          '--targets',
          '@postgres-targets.txt',
          '--concurrency',
          '8',
          '--keep-going',
          '--retries',
          '1',
          '--retry-delay',
          '0.2',
          '--json',
        ],
        {
          cwd: project.path,
          onLine: () => {
            if (++finished === 20) halting = throwaway.halt()
          },
        },
      )
      await halting
      const { targets, summary } = jsonLines(run)
      expect(run.exitCode).toBe(1)
      const unreachable = targets.filter((line) => line.state === 'unreachable')
      expect(unreachable.length).toBeGreaterThan(0)
      expect(unreachable.every((line) => line.target.includes(`:${throwawayPort}/`))).toBe(true)
      expect(targets.filter((line) => line.state === 'failed')).toEqual([])
      expect(summary.fleet).toMatchObject({ done: 200 - unreachable.length, unreachable: unreachable.length })
      expect([...(await postgresVersions(local.url, databases.get(local.url) ?? [])).values()].every((version) => version === 3)).toBe(true)

      await throwaway.resume()
      // The printed resume command: --only the unreachable targets, or, past 100 of them, the same
      // command again, in which targets already up to date change nothing.
      const resume = (summary.fleet.resume as string)
        .replace(/^mig /, '')
        .split(' ')
        .map((word) => word.replace(/^'|'$/g, ''))
      const again = await mig(...resume)
      const rerun = jsonLines(again)
      expect(again.exitCode).toBe(0)
      const changed = rerun.targets.filter((line) => line.migrations.length > 0).map((line) => line.target)
      expect(changed.sort()).toEqual(unreachable.map((line) => line.target).sort())
      for (const server of [local, throwaway]) {
        expect([...(await postgresVersions(server.url, databases.get(server.url) ?? [])).values()].every((version) => version === 3)).toBe(
          true,
        )
      }
    },
    LONG,
  )
})
