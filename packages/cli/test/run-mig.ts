import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The built binary; the end-to-end tests run what users install, so build first. */
export const BUILT_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path))

export interface MigRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export interface RunMigOptions {
  readonly cwd: string
  readonly env?: Record<string, string | undefined>
  /** Another copy of the binary, e.g. one installed into an isolated folder. */
  readonly bin?: string
  /**
   * Sends Ctrl-C (SIGINT) once stderr so far satisfies this; given several, one Ctrl-C each time
   * the next of them is satisfied (a second Ctrl-C once mig says `Send it again`).
   */
  readonly interruptWhen?: ((stderr: string) => boolean) | readonly ((stderr: string) => boolean)[]
  /** Called with stderr so far each time more arrives. */
  readonly onStderr?: (stderr: string) => void
  /**
   * Runs mig without root's power to read any file (the capabilities are dropped with
   * util-linux's setpriv), for tests of file permissions; still as root, so every folder stays
   * reachable wherever the checkout lives.
   */
  readonly unprivileged?: boolean
}

/** Runs `mig` as a separate process, with none of the caller's mig or database variables. */
export function runMig(args: readonly string[], options: RunMigOptions): Promise<MigRun> {
  const bin = options.bin ?? BUILT_BIN
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build the CLI first (pnpm turbo run build --filter=@mig/cli...).`)
  const env: Record<string, string | undefined> = { ...process.env }
  for (const name of Object.keys(env)) if (/^(MIG_|DATABASE_URL$|NO_COLOR$|FORCE_COLOR$)/.test(name)) delete env[name]
  Object.assign(env, options.env)
  return new Promise((resolve, reject) => {
    const command = [process.execPath, bin, ...args]
    if (options.unprivileged && userInfo().uid === 0) {
      if (!SETPRIV) throw new Error('Running mig without root privileges needs setpriv: apt-get install util-linux.')
      command.unshift(SETPRIV, '--bounding-set=-dac_override,-dac_read_search')
    }
    const [file, ...rest] = command as [string, ...string[]]
    const child = spawn(file, rest, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    const interrupts = [options.interruptWhen ?? []].flat()
    let interrupted = 0
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      options.onStderr?.(stderr)
      if (interrupts[interrupted]?.(stderr)) {
        interrupted++
        child.kill('SIGINT')
      }
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr }))
  })
}

// biome-ignore lint/suspicious/noExplicitAny: tests read the parsed document field by field, as a CI script would
type JsonDocument = Record<string, any>

/** Parses stdout of a `--json` run, which must be exactly one JSON document. */
export function jsonOf(run: MigRun): JsonDocument {
  try {
    return JSON.parse(run.stdout)
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.exitCode}):\n${run.stdout}\nstderr:\n${run.stderr}`)
  }
}

export async function temporaryDirectory(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `mig-cli-${prefix}-`))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

export const SQL = {
  createUsers: '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- mig:down\nDROP TABLE users;\n',
  addEmail: '-- mig:up\nALTER TABLE users ADD COLUMN email TEXT;\n-- mig:down\nALTER TABLE users DROP COLUMN email;\n',
  createPosts: '-- mig:up\nCREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT);\n-- mig:down\nDROP TABLE posts;\n',
}
