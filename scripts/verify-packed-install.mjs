// Installs mig the way a user does: from packed tarballs, with npm, each into an empty folder.
// - The embedded examples (@mig/core and one dialect): checks that the other dialect's client
//   was not installed, runs each service from its migrations folder (twice: the second start
//   applies nothing), bundles it, and runs the bundle from a folder that holds only the bundle
//   and the database client: once on a fresh database, once on the one the folder app migrated.
// - The CLI with one dialect: `mig init`, `mig create add_users`, `mig up`, `mig status`,
//   `mig lint --all`, with the other dialect's client absent, and without tsx or esbuild (an
//   SQL-only project needs neither; a TypeScript migration then asks for tsx in one line).
// Exits non-zero on any failure. Usage: node scripts/verify-packed-install.mjs
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const packages = ['core', 'sqlite', 'postgres', 'lint', 'cli']

const examples = [
  { name: 'embedded-sqlite', client: 'better-sqlite3', absent: 'pg' },
  { name: 'embedded-postgres', client: 'pg', absent: 'better-sqlite3' },
]

const cliProjects = [
  { name: 'cli-sqlite', dialect: '@mig/sqlite', client: 'better-sqlite3', absent: ['pg', 'tsx', 'esbuild'] },
  { name: 'cli-postgres', dialect: '@mig/postgres', client: 'pg', absent: ['better-sqlite3', 'tsx', 'esbuild'] },
]

const started = performance.now()
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`

/** Runs a command; resolves to its stdout, or rejects with everything it printed. */
function run(command, args, { cwd, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(stdout)
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code} in ${cwd ?? repo}\n${stdout}${stderr}`))
    })
  })
}

/** Runs one phase and prints how long it took. */
async function phase(name, work) {
  const since = performance.now()
  const result = await work()
  console.log(`ok  ${name} (${seconds(since)})`)
  return result
}

function check(condition, message) {
  if (!condition) throw new Error(message)
}

// npm reads npm_config_* variables; the ones pnpm sets for its own scripts are not meant for it.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')))

async function packTarballs(folder) {
  await run('pnpm', ['turbo', 'run', 'build', '--filter=@mig/cli...', '--output-logs=errors-only'], { cwd: repo })
  for (const name of packages) await run('pnpm', ['pack', '--pack-destination', folder], { cwd: join(repo, 'packages', name) })
  const files = await readdir(folder)
  return Object.fromEntries(
    packages.map((name) => {
      const file = files.find((candidate) => candidate.startsWith(`mig-${name}-`) && candidate.endsWith('.tgz'))
      check(file, `pnpm pack made no tarball of @mig/${name} in ${folder}`)
      return [`@mig/${name}`, join(folder, file)]
    }),
  )
}

/** An empty folder with the example's code and migrations, depending on the tarballs. */
async function createProject(example, folder, tarballs) {
  await mkdir(folder)
  check((await readdir(folder)).length === 0, `${folder} is not empty`)
  const source = join(repo, 'examples', example.name)
  for (const entry of ['src', 'migrations', 'build.mjs']) await cp(join(source, entry), join(folder, entry), { recursive: true })
  const manifest = JSON.parse(await readFile(join(source, 'package.json'), 'utf8'))
  const dependencies = Object.fromEntries(
    Object.entries(manifest.dependencies).map(([name, version]) => [name, name in tarballs ? `file:${tarballs[name]}` : version]),
  )
  const project = {
    name: example.name,
    private: true,
    type: 'module',
    scripts: { start: manifest.scripts.start, build: manifest.scripts.build },
    dependencies,
    devDependencies: { esbuild: manifest.devDependencies.esbuild },
  }
  await writeFile(join(folder, 'package.json'), `${JSON.stringify(project, null, 2)}\n`)
}

async function install(example, folder) {
  await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: folder, env: npmEnv })
  return checkInstalled(example, folder)
}

/** The client of the project's dialect once, the other dialect's not at all, @mig/core once and from its tarball. */
async function checkInstalled(example, folder) {
  const lock = JSON.parse(await readFile(join(folder, 'package-lock.json'), 'utf8'))
  const installed = Object.keys(lock.packages).filter((path) => path !== '')
  const named = (name) => installed.filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
  for (const absent of [example.absent].flat()) {
    check(named(absent).length === 0, `${example.name} installed ${absent}: ${named(absent).join(', ')}`)
  }
  check(named(example.client).length === 1, `${example.name} did not install ${example.client} once`)
  const cores = named('@mig/core')
  check(cores.length === 1, `${example.name} installed @mig/core ${cores.length} times: ${cores.join(', ')}`)
  check(lock.packages[cores[0]].resolved?.startsWith('file:'), `${example.name} took @mig/core from elsewhere than the tarball`)
  return installed.filter((path) => existsSync(join(folder, path))).length
}

/** Starts the service with node; checks its exit code and what it says it applied. */
async function startService(entry, cwd, env, expected) {
  const stdout = await run(process.execPath, [entry], { cwd, env: { ...process.env, ...env } })
  const applied = stdout.match(/^migrate: applied (\d+) in /m)
  const count = applied ? Number(applied[1]) : stdout.includes('migrate: up to date\n') ? 0 : undefined
  check(count === expected, `${entry} should have applied ${expected} migrations; it printed:\n${stdout}`)
  check(/^ready: /m.test(stdout), `${entry} did not get to serve; it printed:\n${stdout}`)
}

/** A folder with nothing but the bundle and the database client it imports. */
async function deployBundle(example, project, folder) {
  await mkdir(join(folder, 'node_modules'), { recursive: true })
  await cp(join(project, 'dist', 'app.mjs'), join(folder, 'app.mjs'))
  // Linked rather than installed again: better-sqlite3 compiles from source, and once is enough.
  await symlink(join(project, 'node_modules', example.client), join(folder, 'node_modules', example.client), 'dir')
  const bundle = await readFile(join(folder, 'app.mjs'), 'utf8')
  check(!/from ["']@mig\//.test(bundle), `${example.name}'s bundle imports @mig packages instead of carrying them`)
}

/** The server for the PostgreSQL example: MIG_TEST_POSTGRES_URL, a local one, or a throwaway one. */
async function startPostgres() {
  const { tsImport } = await import('tsx/esm/api')
  const testPostgres = await tsImport('../tools/test-postgres/src/index.ts', import.meta.url)
  const server = await testPostgres.startTestPostgres()
  const databases = []
  return {
    source: server.source,
    async database() {
      const database = await testPostgres.createTestDatabase(server.url)
      databases.push(database)
      return { DATABASE_URL: database.url }
    },
    async stop() {
      for (const database of databases) await database.drop().catch(() => {})
      await server.stop()
    },
  }
}

/** An empty folder with only @mig/cli and one dialect; the four commands of a first run. */
async function verifyCli(project, work, tarballs, postgres) {
  const folder = join(work, project.name)
  await mkdir(folder)
  const dependencies = Object.fromEntries(
    ['@mig/core', '@mig/lint', '@mig/cli', project.dialect].map((name) => [name, `file:${tarballs[name]}`]),
  )
  await writeFile(join(folder, 'package.json'), `${JSON.stringify({ name: project.name, private: true, dependencies }, null, 2)}\n`)
  await phase(`${project.name}: npm install @mig/cli ${project.dialect} from tarballs, without ${project.absent.join(', ')}`, () =>
    install(project, folder),
  )
  const env = { ...npmEnv, ...(project.client === 'pg' ? await (await postgres).database() : {}) }
  const status = await phase(`${project.name}: npx mig init, create add_users, up, lint --all, status`, async () => {
    const mig = (...args) => run('npx', ['--no-install', 'mig', ...args], { cwd: folder, env })
    await mig('init')
    await mig('create', 'add_users')
    // As a user would: a new migration stays pending until its up section holds SQL.
    const created = join(folder, 'migrations', '0001_add_users.sql')
    const template = await readFile(created, 'utf8')
    await writeFile(
      created,
      template
        .replace('-- mig:up', '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);')
        .replace('-- mig:down', '-- mig:down\nDROP TABLE users;'),
    )
    await mig('up')
    await mig('lint', '--all')
    return run('npx', ['--no-install', 'mig', 'status'], { cwd: folder, env })
  })
  check(/applied\s+0001_add_users\.sql/.test(status), `${project.name}: mig status does not show 0001_add_users.sql applied:\n${status}`)
  await phase(`${project.name}: a TypeScript migration without tsx is refused in one line`, async () => {
    const typeScript = join(folder, 'migrations', '0002_backfill.ts')
    await writeFile(typeScript, 'export async function up() {}\n')
    const refused = await run('npx', ['--no-install', 'mig', 'up'], { cwd: folder, env }).then(
      () => 'it exited 0',
      (error) => error.message,
    )
    check(refused.includes('0002_backfill.ts is TypeScript, which needs tsx: npm install --save-dev tsx'), `${project.name}: ${refused}`)
    await rm(typeScript)
  })
}

async function verify(example, work, tarballs, postgres) {
  const project = join(work, example.name)
  await createProject(example, project, tarballs)
  const count = await phase(`${example.name}: npm install from tarballs, without ${example.absent}`, () => install(example, project))
  console.log(`    ${count} packages installed`)

  const database =
    example.client === 'pg' ? async () => (await postgres).database() : async (name) => ({ DATABASE_FILE: join(project, `${name}.db`) })
  const migrated = await database('folder')
  await phase(`${example.name}: the service migrates from its folder, then starts again applying nothing`, async () => {
    await startService(join('src', 'main.mjs'), project, migrated, 3)
    await startService(join('src', 'main.mjs'), project, migrated, 0)
  })

  const deployed = join(work, `${example.name}-deploy`)
  await phase(`${example.name}: bundled into one file`, async () => {
    await run('npm', ['run', 'build'], { cwd: project, env: npmEnv })
    await deployBundle(example, project, deployed)
  })
  await phase(`${example.name}: the bundle migrates a fresh database, and applies nothing where the folder did`, async () => {
    await startService('app.mjs', deployed, await database('bundle'), 3)
    await startService('app.mjs', deployed, migrated, 0)
  })
}

const work = await mkdtemp(join(tmpdir(), 'mig-packed-'))
let failed = false
// Started now, while the SQLite example compiles better-sqlite3.
const postgres = startPostgres()
postgres.catch(() => {})
try {
  const tarballs = await phase('built and packed @mig/core, @mig/sqlite, @mig/postgres, @mig/lint, @mig/cli', () =>
    packTarballs(join(work, 'tarballs')),
  )
  const server = await postgres
  console.log(`    PostgreSQL: ${server.source} server`)
  // Both at once: the second install is quick next to compiling better-sqlite3.
  const results = await Promise.allSettled([
    ...examples.map((example) => verify(example, work, tarballs, postgres)),
    ...cliProjects.map((project) => verifyCli(project, work, tarballs, postgres)),
  ])
  const failure = results.find((result) => result.status === 'rejected')
  if (failure) throw failure.reason
  console.log(`packed install verified in ${seconds(started)}`)
} catch (error) {
  console.error(`FAILED: ${error.message}`)
  failed = true
} finally {
  await (await postgres.catch(() => undefined))?.stop()
  await rm(work, { recursive: true, force: true })
}
// Explicitly: embedded-postgres's exit hooks end the process with 0 whatever process.exitCode says.
process.exit(failed ? 1 : 0)
