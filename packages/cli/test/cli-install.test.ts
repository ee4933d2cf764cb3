import { cp, mkdir, realpath, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { postgresHistory, sqliteHistory } from './database-state.ts'
import { jsonOf, runMig, SQL, temporaryDirectory } from './run-mig.ts'

const packages = fileURLToPath(new URL('../../', import.meta.url))

/**
 * A project with @mig/cli installed as a copy (so Node resolves its imports from the project,
 * not from this workspace) and only the packages named, linked to their built workspace copies.
 */
async function installProject(project: string, linked: string[], copied: string[] = []): Promise<string> {
  const modules = join(project, 'node_modules', '@mig')
  await mkdir(modules, { recursive: true })
  for (const name of ['cli', ...copied]) {
    await cp(join(packages, name, 'dist'), join(modules, name, 'dist'), { recursive: true })
    await cp(join(packages, name, 'package.json'), join(modules, name, 'package.json'))
  }
  for (const name of linked) await symlink(await realpath(join(packages, name)), join(modules, name), 'dir')
  return join(modules, 'cli', 'dist', 'bin.js')
}

let project: { path: string; remove: () => Promise<void> }

beforeAll(async () => {
  project = await temporaryDirectory('install')
})

afterAll(() => project?.remove())

describe('a project that installs only the dialect it uses', () => {
  it('a sqlite: URL without @mig/sqlite installed is a one-line error naming the package, exit code 2', async () => {
    const folder = join(project.path, 'core-only')
    await mkdir(folder)
    const bin = await installProject(folder, ['core'])
    const run = await runMig(['--url', 'sqlite:./app.db', 'status'], { cwd: folder, bin })
    expect(run.exitCode).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toContain('The sqlite: URL needs @mig/sqlite: npm install @mig/sqlite better-sqlite3')
    const json = await runMig(['status', '--json'], { cwd: folder, bin, env: { DATABASE_URL: 'postgres://app@127.0.0.1:5432/app' } })
    expect(json.exitCode).toBe(2)
    expect(jsonOf(json).error).toEqual({
      code: 'MIG_DIALECT_MISSING',
      message: 'The postgres: URL needs @mig/postgres: npm install @mig/postgres pg',
    })
  })

  it('@mig/sqlite without better-sqlite3 is a one-line error naming better-sqlite3', async () => {
    const folder = join(project.path, 'sqlite-without-client')
    await mkdir(folder)
    const bin = await installProject(folder, ['core'], ['sqlite'])
    const run = await runMig(['status', '--url', 'sqlite:./app.db'], { cwd: folder, bin })
    expect(run.exitCode).toBe(2)
    expect(run.stderr.trim()).toMatch(/The sqlite: URL needs better-sqlite3: npm install better-sqlite3$/)
  })

  it('SQL migrations need no tsx; a TypeScript migration or config then asks for it in one line', async () => {
    const folder = join(project.path, 'without-tsx')
    await mkdir(folder)
    const bin = await installProject(folder, ['core', 'sqlite', 'lint'])
    const env = { DATABASE_URL: 'sqlite:./app.db' }
    expect((await runMig(['init'], { cwd: folder, bin, env })).exitCode).toBe(0)
    await writeFile(join(folder, 'migrations', '0001_create_users.sql'), SQL.createUsers)
    const up = await runMig(['up'], { cwd: folder, bin, env })
    expect(up.exitCode).toBe(0)
    expect(up.stdout).toContain('Applied 1 migration')

    await writeFile(join(folder, 'migrations', '0002_backfill.ts'), 'export async function up() {}\n')
    const typeScript = await runMig(['up'], { cwd: folder, bin, env })
    expect(typeScript.exitCode).toBe(2)
    expect(typeScript.stderr.trim().split('\n')).toEqual([
      'Error MIG_TYPESCRIPT_MISSING: 0002_backfill.ts is TypeScript, which needs tsx: npm install --save-dev tsx',
    ])
    expect(await sqliteHistory(join(folder, 'app.db'))).toEqual([{ version: 1, state: 'applied' }])

    await writeFile(join(folder, 'mig.config.ts'), "export default { url: 'sqlite:./app.db' }\n")
    const config = await runMig(['status', '--json', '--config', 'mig.config.ts'], { cwd: folder, bin })
    expect(config.exitCode).toBe(2)
    expect(jsonOf(config).error).toEqual({
      code: 'MIG_TYPESCRIPT_MISSING',
      message: 'mig.config.ts is TypeScript, which needs tsx: npm install --save-dev tsx',
    })
  })

  describe('with @mig/postgres and no better-sqlite3', () => {
    let database: TestDatabase

    beforeAll(async () => {
      database = await createTestDatabase(inject('postgresUrl'))
    })

    afterAll(async () => {
      await database?.drop()
    })

    it('init, create, up and status work against PostgreSQL', async () => {
      const folder = join(project.path, 'postgres-only')
      await mkdir(folder)
      const bin = await installProject(folder, ['core', 'postgres', 'lint'])
      const env = { DATABASE_URL: database.url }
      expect((await runMig(['init'], { cwd: folder, bin, env })).exitCode).toBe(0)
      const created = jsonOf(await runMig(['create', 'add_users', '--json'], { cwd: folder, bin, env }))
      await writeFile(join(folder, created.path), SQL.createUsers)
      expect((await runMig(['up'], { cwd: folder, bin, env })).exitCode).toBe(0)
      const status = await runMig(['status'], { cwd: folder, bin, env })
      expect(status.exitCode).toBe(0)
      expect(status.stdout).toMatch(/applied\s+0001_add_users\.sql/)
      expect(await postgresHistory(database.url)).toEqual([{ version: 1, state: 'applied' }])
    })
  })
})
