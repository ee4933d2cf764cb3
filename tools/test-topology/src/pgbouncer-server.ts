import { type ChildProcess, spawn } from 'node:child_process'
import { access, chown, constants, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { delimiter, join } from 'node:path'
import { freePort, unprivilegedUser } from '@mig-internal/test-postgres'
import pg from 'pg'

export type PoolMode = 'session' | 'transaction' | 'statement'

/** The PostgreSQL server PgBouncer forwards to. */
export interface PgBouncerTarget {
  readonly host: string
  readonly port: number
  readonly user: string
  /** Needed when the server does not trust the user; PgBouncer logs in with it. */
  readonly password?: string
  /** The database {@link PgBouncerServer.url} names when it is given none. */
  readonly database?: string
}

export interface PgBouncerOptions {
  readonly poolMode: PoolMode
  readonly target: PgBouncerTarget
  /** Roles that may connect besides `target.user` (they log in to the server without a password). */
  readonly users?: readonly string[]
  /** Server connections per database and user; 8 concurrent runners each hold two. Default 20. */
  readonly poolSize?: number
  /**
   * Startup parameters PgBouncer drops instead of refusing the connection. Default
   * `extra_float_digits`, as most managed poolers set it: `options` is refused there too.
   */
  readonly ignoreStartupParameters?: readonly string[]
  /** More `[pgbouncer]` settings, e.g. `{ server_reset_query_always: 1 }`. */
  readonly settings?: Readonly<Record<string, string | number>>
}

export interface PgBouncerServer {
  readonly port: number
  readonly poolMode: PoolMode
  /** URL of `database` (default the target's) through PgBouncer, as `user` (default the target's). */
  url(database?: string, user?: string): string
  /** URL of the admin console (the virtual `pgbouncer` database): `SHOW POOLS`, `SHOW CONFIG`, ... */
  readonly adminUrl: string
  /** What PgBouncer logged so far. */
  log(): Promise<string>
  /** Stops PgBouncer (its pid only) and removes its folder. */
  stop(): Promise<void>
}

/** `target` from a PostgreSQL URL such as the one `inject('postgresUrl')` gives. */
export function targetFromUrl(url: string): PgBouncerTarget {
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    user: decodeURIComponent(parsed.username || 'postgres'),
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: decodeURIComponent(parsed.pathname.slice(1)) || undefined,
  }
}

const START_TIMEOUT_MS = 10_000

/**
 * Starts Debian's `pgbouncer` in front of `options.target`, on 127.0.0.1 and a free port, from a
 * config in a temporary folder. Every database name is forwarded as is. PgBouncer refuses to run
 * as root, so as root it runs as `nobody`, which owns only the temporary folder.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncerServer> {
  const binary = await findPgBouncer()
  const directory = await mkdtemp(join(tmpdir(), 'mig-test-pgbouncer-'))
  const runAs = userInfo().uid === 0 ? unprivilegedUser() : undefined
  let child: ChildProcess | undefined
  const stop = async () => {
    if (child) await stopProcess(child)
    await rm(directory, { recursive: true, force: true })
  }
  try {
    const port = await freePort()
    const users = [options.target.user, ...(options.users ?? [])]
    await writeFile(join(directory, 'users.txt'), authFile(users, options.target))
    await writeFile(join(directory, 'pgbouncer.ini'), config(options, port, directory))
    if (runAs) await chown(directory, runAs.uid, runAs.gid)
    child = spawn(binary, [join(directory, 'pgbouncer.ini')], {
      cwd: directory,
      stdio: 'ignore',
      ...(runAs ?? {}),
    })
    const server = {
      port,
      poolMode: options.poolMode,
      adminUrl: `postgres://${encodeURIComponent(options.target.user)}@127.0.0.1:${port}/pgbouncer`,
      url: (database = options.target.database ?? 'postgres', user = options.target.user) =>
        `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      log: () => readFile(join(directory, 'pgbouncer.log'), 'utf8').catch(() => ''),
      stop,
    }
    await waitUntilReady(child, server.adminUrl, server.log)
    return server
  } catch (error) {
    await stop()
    throw error
  }
}

async function findPgBouncer(): Promise<string> {
  // Debian installs it in /usr/sbin, which is not on every user's PATH.
  const folders = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'].filter(Boolean)
  for (const folder of folders) {
    const candidate = join(folder, 'pgbouncer')
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate
  }
  throw new Error(
    'pgbouncer is not installed, and the topology tests need it: apt-get install pgbouncer (on Debian or Ubuntu; .ci/run does this in CI).',
  )
}

function authFile(users: readonly string[], target: PgBouncerTarget): string {
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`
  return users.map((user) => `${quote(user)} ${quote(user === target.user ? (target.password ?? '') : '')}\n`).join('')
}

function config(options: PgBouncerOptions, port: number, directory: string): string {
  const { target } = options
  const password = target.password ? ` password=${target.password}` : ''
  const settings: Record<string, string | number> = {
    listen_addr: '127.0.0.1',
    listen_port: port,
    unix_socket_dir: '',
    // trust: no client password, but the user must be listed in auth_file; the server is
    // logged in to with the password listed there, if any.
    auth_type: 'trust',
    auth_file: join(directory, 'users.txt'),
    admin_users: target.user,
    pool_mode: options.poolMode,
    default_pool_size: options.poolSize ?? 20,
    max_client_conn: 500,
    ignore_startup_parameters: (options.ignoreStartupParameters ?? ['extra_float_digits']).join(','),
    logfile: join(directory, 'pgbouncer.log'),
    pidfile: join(directory, 'pgbouncer.pid'),
    ...options.settings,
  }
  return [
    '[databases]',
    `* = host=${target.host} port=${target.port}${password}`,
    '',
    '[pgbouncer]',
    ...Object.entries(settings).map(([name, value]) => `${name} = ${value}`),
    '',
  ].join('\n')
}

async function waitUntilReady(child: ChildProcess, adminUrl: string, log: () => Promise<string>): Promise<void> {
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.query('SHOW VERSION')
      return
    } catch (error) {
      if (exited || Date.now() > deadline) {
        throw new Error(`PgBouncer did not start (${exited ? 'it exited' : `not ready after ${START_TIMEOUT_MS} ms`}):\n${await log()}`, {
          cause: error,
        })
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      await client.end().catch(() => {})
    }
  }
}

/** SIGTERM (PgBouncer's immediate shutdown), then SIGKILL if it lingers. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  try {
    await exited
  } finally {
    clearTimeout(timer)
  }
}
