import { spawn } from 'node:child_process'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { queryRows } from './database-state.ts'
import { BUILT_BIN, type MigRun } from './run-mig.ts'

export interface FleetRunOptions {
  readonly cwd: string
  /** Written to the process's standard input, which is then closed. */
  readonly stdin?: string
  /** Called with each line of stdout as it comes; `kill` sends a signal to mig. */
  readonly onLine?: (line: string, kill: (signal: NodeJS.Signals) => void) => void
  /** Runs beside mig from its start, e.g. to signal it once the database shows it at work; a throw ends mig. */
  readonly whileRunning?: (mig: RunningMig) => Promise<void>
}

export interface RunningMig {
  kill(signal: NodeJS.Signals): void
  /** What mig has written to stderr so far. */
  stderr(): string
}

/** Runs the built `mig` with stdout read line by line, as a `--json` fleet run writes it. */
export function runFleetMig(args: readonly string[], options: FleetRunOptions): Promise<MigRun> {
  const env: Record<string, string | undefined> = { ...process.env }
  for (const name of Object.keys(env)) if (/^(MIG_|DATABASE_URL$|NO_COLOR$|FORCE_COLOR$)/.test(name)) delete env[name]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_BIN, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let partial = ''
    const kill = (signal: NodeJS.Signals) => child.kill(signal)
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      partial += chunk
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) options.onLine?.(line, kill)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.stdin.end(options.stdin ?? '')
    options.whileRunning?.({ kill, stderr: () => stderr }).catch((error: unknown) => {
      child.kill('SIGKILL')
      reject(error)
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr }))
  })
}

// biome-ignore lint/suspicious/noExplicitAny: tests read the parsed lines field by field, as a CI script would
export type JsonLine = Record<string, any>

/** The JSON Lines of a `--json` fleet run: one per target, then the summary. */
export function jsonLines(run: MigRun): { targets: JsonLine[]; summary: JsonLine } {
  const lines = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line) as JsonLine
      } catch {
        throw new Error(`stdout is not JSON Lines (exit ${run.exitCode}):\n${run.stdout}\nstderr:\n${run.stderr}`)
      }
    })
  const summary = lines.pop()
  if (!summary?.fleet) throw new Error(`No fleet summary (exit ${run.exitCode}):\n${run.stdout}\nstderr:\n${run.stderr}`)
  return { targets: lines, summary }
}

/** The newest version in a SQLite file's history, 0 when it has none. */
export async function sqliteVersion(filename: string): Promise<number> {
  const rows = await queryRows<{ present: number | null }>(
    sqliteDriver({ filename }),
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'mig_migrations') THEN 1 END AS present",
  )
  if (!rows[0]?.present) return 0
  const [row] = await queryRows<{ version: number | null }>(
    sqliteDriver({ filename }),
    'SELECT max(version) AS version FROM mig_migrations',
  )
  return Number(row?.version ?? 0)
}

/** The newest version in each database's history (0 when it has none). */
export async function postgresVersions(serverUrl: string, databases: readonly string[]): Promise<Map<string, number>> {
  const versions = new Map<string, number>()
  for (const name of databases) {
    const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString()
    const session = await postgresDriver({ connectionString: url }).connect()
    try {
      const [table] = await session.query<{ present: boolean }>("SELECT to_regclass('public.mig_migrations') IS NOT NULL AS present")
      const [row] = table?.present
        ? await session.query<{ version: string | null }>('SELECT max(version) AS version FROM public.mig_migrations')
        : []
      versions.set(name, Number(row?.version ?? 0))
    } finally {
      await session.close()
    }
  }
  return versions
}

/** Runs statements one after another on one connection to `url`. */
export async function onServer(url: string, statements: readonly string[]): Promise<void> {
  const session = await postgresDriver({ connectionString: url }).connect()
  try {
    for (const statement of statements) await session.runScript(statement)
  } finally {
    await session.close()
  }
}
