import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const RUN_UP = fileURLToPath(new URL('../children/run-up.mjs', import.meta.url))

export type Dialect = 'sqlite' | 'postgres'

/** A line the child prints: `ready`, `lock-acquired`, `migrating`, `migrated`, `done` or `error`. */
export interface RunnerEvent {
  readonly event: string
  readonly version?: number
  readonly ms?: number
  readonly applied?: number[]
  readonly name?: string
  readonly code?: string
  readonly message?: string
}

export interface RunnerOptions {
  readonly dialect: Dialect
  /** SQLite file name or PostgreSQL URL. */
  readonly target: string
  readonly migrations: string
  readonly lockTimeoutMs?: number
  readonly sqlitePragmas?: Record<string, string>
}

export interface RunnerExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly events: readonly RunnerEvent[]
  readonly stderr: string
}

/** `mig up` in a child process (children/run-up.mjs, over the built packages). */
export class RunnerProcess {
  readonly events: RunnerEvent[] = []
  readonly exited: Promise<RunnerExit>
  private readonly child: ChildProcess
  private readonly waiters = new Set<() => void>()
  private stderr = ''
  private done = false

  constructor(options: RunnerOptions) {
    this.child = spawn(process.execPath, [RUN_UP], {
      env: {
        ...process.env,
        MIG_SAFETY_DIALECT: options.dialect,
        MIG_SAFETY_TARGET: options.target,
        MIG_SAFETY_MIGRATIONS: options.migrations,
        MIG_SAFETY_LOCK_TIMEOUT_MS: String(options.lockTimeoutMs ?? 60_000),
        MIG_SAFETY_SQLITE_PRAGMAS: JSON.stringify(options.sqlitePragmas ?? {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let pending = ''
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines.filter(Boolean)) this.events.push(JSON.parse(line) as RunnerEvent)
      this.notify()
    })
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk
    })
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.done = true
        this.notify()
        resolve({ code, signal, events: this.events, stderr: this.stderr })
      })
    })
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get running(): boolean {
    return !this.done
  }

  /** Resolves once `count` events have been printed, or the process has ended (then false). */
  async waitForEvents(count: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.events.length < count) {
      if (this.done) return false
      if (Date.now() > deadline) throw new Error(`runner printed ${this.events.length} of ${count} events in ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200)
        this.waiters.add(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return true
  }

  async waitForEvent(event: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!this.events.some((candidate) => candidate.event === event)) {
      if (this.done) return false
      if (Date.now() > deadline) throw new Error(`runner did not print "${event}" in ${timeoutMs} ms`)
      await this.waitForEvents(this.events.length + 1, deadline - Date.now())
    }
    return true
  }

  /** SIGKILL: no handler, no finally, no goodbye to the database. */
  kill(): void {
    if (!this.done) this.child.kill('SIGKILL')
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter()
    this.waiters.clear()
  }
}

/** Waits for a runner with a hang guard: kills it and throws when it outlives `timeoutMs`. */
export async function finish(runner: RunnerProcess, timeoutMs: number): Promise<RunnerExit> {
  let timer: NodeJS.Timeout | undefined
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      runner.kill()
      reject(new Error(`runner ${runner.pid} still running after ${timeoutMs} ms (hang guard); events: ${JSON.stringify(runner.events)}`))
    }, timeoutMs)
  })
  try {
    return await Promise.race([runner.exited, guard])
  } finally {
    clearTimeout(timer)
  }
}
