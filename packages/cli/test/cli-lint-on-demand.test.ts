import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createTestDatabase, type TestDatabase } from '@mig-internal/test-postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { postgresHistory } from './database-state.ts'
import { runMig, temporaryDirectory } from './run-mig.ts'

let testDatabase: TestDatabase
let project: { path: string; remove: () => Promise<void> }
let importLog: string
let nodeOptions: string

const LINT_MODULES = ['@mig/lint', 'libpg-query']

/**
 * Node's module hooks (`--import` a file that registers a `resolve` hook) see every module the
 * process imports, statically or with `import()`, before it loads; the hook appends each
 * specifier to a log. The built binary imports `@mig/lint`, and `@mig/lint` imports the parser,
 * by those names.
 */
async function writeImportRecorder(directory: string): Promise<void> {
  importLog = join(directory, 'imports.log')
  const hooks = join(directory, 'record-imports-hooks.mjs')
  const entry = join(directory, 'record-imports.mjs')
  await writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs'
let log
export function initialize(data) {
  log = data.log
}
export async function resolve(specifier, context, nextResolve) {
  appendFileSync(log, specifier + '\\n')
  return nextResolve(specifier, context)
}
`,
  )
  await writeFile(
    entry,
    `import { register } from 'node:module'
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log: ${JSON.stringify(importLog)} } })
`,
  )
  nodeOptions = [process.env.NODE_OPTIONS, `--import=${pathToFileURL(entry).href}`].filter(Boolean).join(' ')
}

/** Runs mig with the recorder, and returns the run and every specifier it imported. */
async function migImporting(...args: string[]) {
  await writeFile(importLog, '')
  const run = await runMig(args, { cwd: project.path, env: { DATABASE_URL: testDatabase.url, NODE_OPTIONS: nodeOptions } })
  const imported = (await readFile(importLog, 'utf8')).split('\n').filter(Boolean)
  // The recorder saw this run: the binary always imports the core and the dialect it migrates.
  expect(imported).toEqual(expect.arrayContaining(['@mig/core', '@mig/postgres']))
  return { run, lintModules: LINT_MODULES.filter((name) => imported.includes(name)) }
}

const write = (file: string, text: string) => writeFile(join(project.path, 'migrations', file), text)

beforeAll(async () => {
  testDatabase = await createTestDatabase(inject('postgresUrl'))
  project = await temporaryDirectory('lint-on-demand')
  await writeImportRecorder(project.path)
  expect((await runMig(['init'], { cwd: project.path })).exitCode).toBe(0)
  await write('0001_create_users.sql', '-- mig:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n')
})

afterAll(async () => {
  await project?.remove()
  await testDatabase?.drop()
})

describe('the built mig imports @mig/lint and the PostgreSQL parser only when it lints', () => {
  it('mig up --no-lint applies pending migrations without importing either', async () => {
    const { run, lintModules } = await migImporting('up', '--no-lint')
    expect(run.exitCode).toBe(0)
    expect(lintModules).toEqual([])
    expect(await postgresHistory(testDatabase.url)).toEqual([{ version: 1, state: 'applied' }])
  })

  it('a no-op mig up, with lint on, imports neither', async () => {
    const { run, lintModules } = await migImporting('up')
    expect(run.stdout).toContain('Nothing to apply')
    expect(lintModules).toEqual([])
  })

  it('mig plan and mig up with something pending import both, so the recorder would have seen them', async () => {
    await write('0002_index.sql', '-- mig:up\nCREATE INDEX users_email ON users (email);\n')
    const plan = await migImporting('plan')
    expect(plan.run.stdout).toContain('error index-without-concurrently')
    expect(plan.lintModules).toEqual(LINT_MODULES)
    const up = await migImporting('up')
    expect(up.run.exitCode).toBe(1)
    expect(up.lintModules).toEqual(LINT_MODULES)
    expect(await postgresHistory(testDatabase.url)).toEqual([{ version: 1, state: 'applied' }])
  })
})
