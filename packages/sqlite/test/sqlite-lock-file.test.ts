import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { SqliteLockFile } from '../src/sqlite-lock-file.js'

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

it('a runner that waited on a removed lock file takes the lock at the path, never the removed file beside another holder', () => {
  const first = lockFile()
  const waiting = lockFile()
  expect(first.tryAcquire()).toBe(true)
  expect(waiting.tryAcquire()).toBe(false)

  first.remove()
  first.close()
  expect(existsSync(path)).toBe(false)

  // The waiting runner still has the removed file open: its next try finds it moved and tries the file at the path.
  const third = lockFile()
  expect(third.tryAcquire()).toBe(true)
  expect(waiting.tryAcquire()).toBe(false)
  expect(waiting.describeHolder()).toMatchObject({ pid: process.pid })

  third.remove()
  third.close()
  expect(waiting.tryAcquire()).toBe(true)
  expect(existsSync(path)).toBe(true)
})

it('removes the file only while holding the lock', () => {
  const holder = lockFile()
  const other = lockFile()
  expect(holder.tryAcquire()).toBe(true)
  other.remove()
  expect(existsSync(path)).toBe(true)
})
