import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import pg from 'pg'

/** The built `mig` binary of this workspace (run `pnpm build` first). */
const MIG = join(dirname(createRequire(import.meta.url).resolve('@mig/cli/package.json')), 'bin', 'mig.js')

export interface MigRun {
  readonly exitCode: number | null
  /** The `--json` document, or undefined when stdout was not one. */
  readonly document: { ok: boolean; migrations?: { version: number }[]; error?: { code: string; message: string } } | undefined
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** Runs `mig <args> --json` in a child process, killing it after `timeoutMs` (then exitCode is null). */
export function runMig(args: readonly string[], timeoutMs = 120_000): Promise<MigRun> {
  const started = Date.now()
  const child = spawn(process.execPath, [MIG, ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve) => {
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      let document: MigRun['document']
      try {
        document = JSON.parse(stdout)
      } catch {
        document = undefined
      }
      resolve({ exitCode, document, stdout, stderr, ms: Date.now() - started })
    })
  })
}

/** A temporary migrations folder with `files`; remove it when done. */
export async function migrationsFolder(files: Record<string, string>): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'mig-repro-'))
  await mkdir(path, { recursive: true })
  for (const [name, content] of Object.entries(files)) await writeFile(join(path, name), content)
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

export async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {})
  await client.connect()
  try {
    return (await client.query<T>(text, values)).rows
  } finally {
    await client.end().catch(() => {})
  }
}

/** Advisory locks granted in database `name`, seen directly on the server. */
export async function advisoryLocksHeld(serverUrl: string, name: string): Promise<number> {
  const rows = await query<{ count: string }>(
    serverUrl,
    `SELECT count(*) FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1`,
    [name],
  )
  return Number(rows[0]?.count ?? 0)
}
