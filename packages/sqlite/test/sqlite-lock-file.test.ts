import { execFile } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { SqliteLockFile } from '../src/sqlite-lock-file.js'

const run = promisify(execFile)
const refusedRunsChild = new URL('./fixtures/refused-runs-child.mjs', import.meta.url).pathname

let folder: string
let path: string
const opened: SqliteLockFile[] = []

function lockFile(): SqliteLockFile {
  const file = new SqliteLockFile(path, join(folder, 'app.db'))
  opened.push(file)
  return file
}

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-lock-file-'))
  path = join(folder, 'app.db.mig_migrations.lock')
})

afterEach(async () => {
  for (const file of opened.splice(0)) file.close()
  await rm(folder, { recursive: true, force: true })
})

it('a runner that waited on a lock file deleted under it (by hand) takes the lock at the path, never the deleted file', () => {
  const first = lockFile()
  const waiting = lockFile()
  expect(first.tryAcquire()).toBe(true)
  expect(waiting.tryAcquire()).toBe(false)

  rmSync(path)
  first.close()
  expect(existsSync(path)).toBe(false)

  // The waiting runner still has the removed file open: its next try finds it moved and tries the file at the path.
  const third = lockFile()
  expect(third.tryAcquire()).toBe(true)
  expect(waiting.tryAcquire()).toBe(false)
  expect(waiting.describeHolder()).toMatchObject({ pid: process.pid })

  rmSync(path)
  third.close()
  expect(waiting.tryAcquire()).toBe(true)
  expect(existsSync(path)).toBe(true)
})

it('runners refused one after another on a database that does not exist never hold the lock at once, and keep one lock file', async () => {
  // Each run marks its turn with a file only one process can create; a refused run that deleted
  // the lock file let a waiting runner roll the next file's journal back into the deleted one and
  // hold it beside the holder of the new one.
  const filename = join(folder, 'app.db')
  const runners = Array.from({ length: 6 }, () =>
    run(process.execPath, [refusedRunsChild, filename, join(folder, 'turn'), '60'], { timeout: 60_000 }),
  )
  for (const { stdout } of await Promise.all(runners)) expect(JSON.parse(stdout)).toEqual({ overlaps: 0 })
  expect(await readdir(folder)).toEqual(['app.db.mig_migrations.lock'])
}, 90_000)
