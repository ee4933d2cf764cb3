import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFleetMig, sqliteVersion } from './fleet-support.ts'
import { temporaryDirectory } from './run-mig.ts'

const USERS =
  '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE INDEX users_email ON users (email);\n-- mig:down\nDROP TABLE users;\n'
// Rebuilds users without its index: an error-level lint finding on a table that exists.
const REBUILD =
  '-- mig:up\nCREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users_new SELECT id, email FROM users;\n' +
  'DROP TABLE users;\nALTER TABLE users_new RENAME TO users;\n-- mig:down\nSELECT 1;\n'
const TENANTS = ['a', 'b', 'c']

let project: { path: string; remove: () => Promise<void> }
const mig = (...args: string[]) => runFleetMig(['up', '--fleet', '--targets', 'sqlite:./tenants/*.db', ...args], { cwd: project.path })
const versions = () => Promise.all(TENANTS.map((name) => sqliteVersion(join(project.path, 'tenants', `${name}.db`))))

beforeAll(async () => {
  project = await temporaryDirectory('fleet-lint')
  await mkdir(join(project.path, 'migrations'))
  await mkdir(join(project.path, 'tenants'))
  for (const name of TENANTS) await writeFile(join(project.path, 'tenants', `${name}.db`), '')
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), USERS)
})

afterAll(() => project?.remove())

describe('a fleet lints what it applies, as a single up does', () => {
  it('refuses a plan with a lint error on every target, shows the finding once, and applies it with --no-lint', async () => {
    expect((await mig()).exitCode).toBe(0)
    await writeFile(join(project.path, 'migrations', '0002_rebuild_users.sql'), REBUILD)
    const refused = await mig('--keep-going')
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr.split('sqlite-rebuild-loses-indexes').length - 1).toBe(1)
    expect(refused.stdout).toContain('failed  sqlite:./tenants/b.db: Lint found 1 error in 0002_rebuild_users.sql, so nothing was applied.')
    expect(await versions()).toEqual([1, 1, 1])
    expect((await mig('--no-lint')).exitCode).toBe(0)
    expect(await versions()).toEqual([2, 2, 2])
  })
})
