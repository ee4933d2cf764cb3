import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, expect, it } from 'vitest'

const run = promisify(execFile)
const bin = join(dirname(createRequire(import.meta.url).resolve('@mig/cli/package.json')), 'dist', 'bin.js')
const migrations = fileURLToPath(new URL('../migrations', import.meta.url))

let folder: string
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mig-quickstart-'))
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

const mig = (...args: string[]) => run(process.execPath, [bin, '--url', `sqlite:${join(folder, 'app.db')}`, '--dir', migrations, ...args])

it('the quick start migrates a fresh SQLite file, rolls back to empty and migrates again', async () => {
  await mig('up')
  const status = JSON.parse((await mig('status', '--json')).stdout)
  expect(JSON.stringify(status)).toContain('0004_welcome_note')
  const database = new Database(join(folder, 'app.db'), { readonly: true })
  expect(database.prepare('SELECT body FROM notes').all()).toEqual([{ body: 'Welcome to mig.' }])
  expect(database.pragma('journal_mode', { simple: true })).toBe('wal')
  database.close()

  await mig('down', '--all')
  const empty = new Database(join(folder, 'app.db'), { readonly: true })
  expect(empty.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'mig_%'").all()).toEqual([])
  empty.close()
  await mig('up')
})
