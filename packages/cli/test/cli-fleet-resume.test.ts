import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { redactUrl } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { queryRows } from './database-state.ts'
import { jsonLines, onServer, postgresVersions, runFleetMig, sqliteVersion } from './fleet-support.ts'
import { SQL, temporaryDirectory } from './run-mig.ts'

const TENANTS = ['a', 'b', 'c']
const id = (name: string) => `sqlite:./tenants/${name}.db`

let project: { path: string; remove: () => Promise<void> }
const mig = (...args: string[]) => runFleetMig(args, { cwd: project.path })
const tenantFile = (name: string) => join(project.path, 'tenants', `${name}.db`)
const versions = () => Promise.all(TENANTS.map((name) => sqliteVersion(tenantFile(name))))
/** The words of a printed resume command, as a shell would pass them to mig. */
const words = (command: string) =>
  command
    .replace(/^mig /, '')
    .split(' ')
    .map((word) => word.replace(/^'|'$/g, ''))

beforeEach(async () => {
  project = await temporaryDirectory('fleet-resume')
  await mkdir(join(project.path, 'migrations'))
  await mkdir(join(project.path, 'tenants'))
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
  await writeFile(join(project.path, 'migrations', '0002_create_posts.sql'), SQL.createPosts)
  for (const name of TENANTS) await writeFile(tenantFile(name), '')
  // A targets file keeps the order the targets are taken in, which a glob does not promise.
  await writeFile(join(project.path, 'tenants.txt'), `${TENANTS.map(id).join('\n')}\n`)
})

afterEach(() => project?.remove())

/** Gives tenant `name` a table that a migration creates, so that migration fails there. */
const blockWith = (name: string, table: string) => queryRows(sqliteDriver({ filename: tenantFile(name) }), `CREATE TABLE ${table} (x TEXT)`)
const unblock = (name: string, table: string) => queryRows(sqliteDriver({ filename: tenantFile(name) }), `DROP TABLE ${table}`)

describe('the resume command of a fleet run takes up exactly what is left', () => {
  it('after a run that stopped early, it keeps the run’s --only and never widens to the whole fleet', async () => {
    await blockWith('a', 'users')
    const only = `${id('a')},${id('b')}`
    const run = await mig('up', '--fleet', '--targets', '@tenants.txt', '--only', only, '--concurrency', '1', '--json')
    const { summary } = jsonLines(run)
    expect(run.exitCode).toBe(1)
    expect(summary.fleet).toMatchObject({ failed: 1, stopped: 'failure' })
    expect(summary.fleet.resume).toBe(`mig up --fleet --targets @tenants.txt --only ${only} --concurrency 1 --json`)

    await unblock('a', 'users')
    expect((await mig(...words(summary.fleet.resume))).exitCode).toBe(0)
    expect(await versions()).toEqual([2, 2, 0])
  })

  it('after a canary failed, it keeps --canary, so the same command again still stops at a failing canary', async () => {
    await blockWith('a', 'users')
    const run = await mig('up', '--fleet', '--targets', '@tenants.txt', '--canary', '1', '--keep-going', '--json')
    const { summary } = jsonLines(run)
    expect(summary.fleet).toMatchObject({ failed: 1, stopped: 'canary' })
    expect(summary.fleet.resume).toBe('mig up --fleet --targets @tenants.txt --canary 1 --keep-going --json')
    const again = jsonLines(await mig(...words(summary.fleet.resume)))
    expect(again.summary.fleet).toMatchObject({ done: 0, failed: 1, stopped: 'canary' })
    expect(await versions()).toEqual([0, 0, 0])
  })

  it('with --step, a run that stopped early prints no command, since the same command again would step the done targets twice', async () => {
    await blockWith('b', 'users')
    const run = await mig('up', '--fleet', '--targets', '@tenants.txt', '--step', '1', '--concurrency', '1')
    expect(run.exitCode).toBe(1)
    expect(await versions()).toEqual([1, 0, 0])
    expect(run.stdout).not.toContain('Resume with:')
    expect(run.stdout).toContain('No resume command: --step counts from where each target stands')
    // What the same command again does: a, already stepped once, takes a second step.
    const json = jsonLines(await mig('up', '--fleet', '--targets', '@tenants.txt', '--step', '1', '--concurrency', '1', '--json'))
    expect(json.summary.fleet.resume).toBeNull()
    expect(await versions()).toEqual([2, 0, 0])
  })

  it('with --step, a target that moved part of its steps before it failed gets no command', async () => {
    await blockWith('b', 'posts')
    const run = await mig('up', '--fleet', '--targets', '@tenants.txt', '--step', '2', '--keep-going', '--json')
    const { summary } = jsonLines(run)
    expect(summary.fleet).toMatchObject({ done: 2, failed: 1, stopped: null, resume: null })
    expect(await versions()).toEqual([2, 1, 2])
  })

  it('with --step, the targets that failed before moving at all are resumed by id', async () => {
    await blockWith('b', 'users')
    const run = await mig('up', '--fleet', '--targets', '@tenants.txt', '--step', '1', '--keep-going', '--json')
    const { summary } = jsonLines(run)
    expect(summary.fleet.resume).toBe(`mig up --fleet --targets @tenants.txt --step 1 --keep-going --json --only ${id('b')}`)
    await unblock('b', 'users')
    expect((await mig(...words(summary.fleet.resume))).exitCode).toBe(0)
    expect(await versions()).toEqual([1, 1, 1])
  })
})

describe('the resume command of PostgreSQL targets whose URLs hold a password', () => {
  let databases: TestDatabase[] = []
  beforeEach(async () => {
    databases = [await createTestDatabase(inject('postgresUrl')), await createTestDatabase(inject('postgresUrl'))]
  })
  afterEach(async () => {
    for (const database of databases) await database.drop()
  })

  it('names every target that failed, however many of them --only named', async () => {
    // The test server may trust any password; the URL carries one either way, as a tenants file would.
    const urls = databases.map((database) =>
      Object.assign(new URL(database.url), { password: new URL(database.url).password || 'tenant-secret' }),
    )
    for (const url of urls) await onServer(url.toString(), ['CREATE TABLE users (id integer)'])
    await writeFile(join(project.path, 'pg-tenants.txt'), `${urls.join('\n')}\n`)
    const ids = urls.map((url) => redactUrl(url.toString()))

    const first = await mig('up', '--fleet', '--targets', '@pg-tenants.txt', '--keep-going', '--concurrency', '1', '--json')
    expect(jsonLines(first).summary.fleet.resume).toBe(
      `mig up --fleet --targets @pg-tenants.txt --keep-going --concurrency 1 --json --only '${ids.join(',')}'`,
    )
    // The resume command, run as printed, fails on both again and names both again.
    const again = await mig(...words(jsonLines(first).summary.fleet.resume))
    const human = await mig(...words(jsonLines(first).summary.fleet.resume).filter((word) => word !== '--json'))
    expect(jsonLines(again).summary.fleet).toMatchObject({ failed: 2 })
    expect(jsonLines(again).summary.fleet.resume).toContain(`--only '${ids.join(',')}'`)
    expect(human.stdout).toContain(`--only '${ids.join(',')}'`)

    for (const url of urls) await onServer(url.toString(), ['DROP TABLE users'])
    expect((await mig(...words(jsonLines(again).summary.fleet.resume))).exitCode).toBe(0)
    expect([
      ...(
        await postgresVersions(
          inject('postgresUrl'),
          databases.map((database) => database.name),
        )
      ).values(),
    ]).toEqual([2, 2])
  })
})
