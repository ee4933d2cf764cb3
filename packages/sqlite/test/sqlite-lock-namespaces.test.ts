import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fromList, LockTimeoutError, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'

const holdLockChild = new URL('./fixtures/hold-lock-child.mjs', import.meta.url).pathname
const raceChild = new URL('./fixtures/race-child.mjs', import.meta.url).pathname

let folder: string
const children: ChildProcess[] = []
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-namespaces-'))
})
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  await rm(folder, { recursive: true, force: true })
})

/** `node <script> <args>` as PID 1 of a new PID namespace, killed with its `unshare` parent. */
function inOwnPidNamespace(script: string, args: string[]): ChildProcess & { output: () => string } {
  const child = spawn('unshare', ['--pid', '--fork', '--kill-child=SIGKILL', process.execPath, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  return Object.assign(child, { output: () => output })
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

it('two processes in separate PID namespaces on one file: the second waits, and takes over only after the first is killed', async () => {
  const filename = join(folder, 'shared.db')
  const migrations = join(folder, 'migrations')
  await mkdir(migrations)
  await writeFile(join(migrations, '0001_first.sql'), '-- mig:up\nCREATE TABLE first (id INTEGER);\n')
  // Both runners are PID 1 in their namespace: a pid says nothing about whether a holder is alive.
  const holder = inOwnPidNamespace(holdLockChild, [filename])
  await until(() => holder.output().includes('held'), 30_000)
  const waiter = inOwnPidNamespace(raceChild, [filename, migrations])
  let waiterExited = false
  waiter.once('exit', () => {
    waiterExited = true
  })

  await new Promise((resolve) => setTimeout(resolve, 1_500))
  expect(waiterExited, waiter.output()).toBe(false)
  const impatient = await new Migrator({
    driver: sqliteDriver({ filename }),
    source: fromList([{ version: 2, name: 'second', up: 'CREATE TABLE second (id INTEGER)' }]),
    lockWaitMs: 200,
  })
    .up()
    .catch((error: unknown) => error)
  expect(impatient).toBeInstanceOf(LockTimeoutError)
  expect((impatient as Error).message).toContain('held by pid 1 on')

  holder.kill('SIGKILL')
  await until(() => waiterExited, 60_000)
  expect(waiter.exitCode, waiter.output()).toBe(0)
  expect(JSON.parse(waiter.output())).toEqual([1])
  const database = new Database(filename, { readonly: true })
  try {
    expect(database.prepare('SELECT CAST(version AS INTEGER) AS version FROM mig_migrations').all()).toEqual([{ version: 1 }])
  } finally {
    database.close()
  }
})
