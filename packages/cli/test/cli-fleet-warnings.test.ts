import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sqliteDriver } from '@mig/sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows } from './database-state.ts'
import { jsonLines, runFleetMig } from './fleet-support.ts'
import { SQL, temporaryDirectory } from './run-mig.ts'

const TENANTS = 300
// A PRAGMA that SQLite ignores in a transaction, and a migration not written yet: `mig up` warns about both.
const POSTS = '-- mig:up\nPRAGMA foreign_keys = ON;\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n-- mig:down\nDROP TABLE posts;\n'
const EMPTY = '-- mig:up\n-- mig:down\n'
const PRAGMA_WARNING = '0002_posts.sql: PRAGMA foreign_keys has no effect inside a transaction'
const EMPTY_WARNING = '0003_not_written.sql: its up section holds no SQL yet, so it stays pending and is not applied.'

let project: { path: string; remove: () => Promise<void> }

/** A project with `count` empty tenant files in `folder`. */
async function tenants(folder: string, count: number): Promise<string> {
  const path = join(project.path, folder)
  await mkdir(join(path, 'tenants'), { recursive: true })
  for (let index = 1; index <= count; index++) await writeFile(join(path, 'tenants', `t${String(index).padStart(3, '0')}.db`), '')
  return path
}

const up = (cwd: string, ...args: string[]) =>
  runFleetMig(['up', '--fleet', '--dir', '../migrations', '--targets', 'sqlite:./tenants/*.db', '--no-lint', ...args], { cwd })

beforeAll(async () => {
  project = await temporaryDirectory('fleet-warnings')
  await mkdir(join(project.path, 'migrations'))
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
  await writeFile(join(project.path, 'migrations', '0002_posts.sql'), POSTS)
  await writeFile(join(project.path, 'migrations', '0003_not_written.sql'), EMPTY)
})

afterAll(() => project?.remove())

describe("a fleet run reports each target's warnings, as mig up does for one database", () => {
  it('names the first target with a warning as it comes, and sums up a warning shared by many targets in one place', async () => {
    const cwd = await tenants('text', TENANTS)
    const run = await up(cwd)
    expect(run.exitCode).toBe(0)
    const warningLines = run.stderr.split('\n').filter((line) => line.startsWith('Warning: '))
    expect(warningLines).toHaveLength(2)
    expect(warningLines.find((line) => line.includes(PRAGMA_WARNING))).toMatch(
      /^Warning: sqlite:\.\/tenants\/t\d{3}\.db: 0002_posts\.sql: /,
    )
    expect(warningLines.find((line) => line.includes(EMPTY_WARNING))).toMatch(/^Warning: sqlite:\.\/tenants\/t\d{3}\.db: 0003_not_written/)
    expect(run.stdout).toContain(`\nWarnings:\n  ${EMPTY_WARNING}`)
    expect(run.stdout).toMatch(
      /\n {2}0002_posts\.sql: PRAGMA foreign_keys [^\n]+\n {4}on 300 targets: sqlite:\.\/tenants\/t\d{3}\.db, [^\n]+ and 290 more\n/,
    )

    // Up to date, every tenant still has the migration not written yet: one warning, once.
    const again = await up(cwd)
    expect(again.stderr.split('\n').filter((line) => line.startsWith('Warning: '))).toHaveLength(1)
    expect(again.stdout).toContain(`  ${EMPTY_WARNING}`)
    expect(again.stdout).toMatch(/ {4}on 300 targets: /)
    expect(again.stdout).not.toContain('PRAGMA')
  })

  it("puts each target's warnings on its JSON line, a failed target's too, and groups them in the summary", async () => {
    const cwd = await tenants('json', 3)
    // The tenant already has a users table: its first migration fails.
    await queryRows(sqliteDriver({ filename: join(cwd, 'tenants', 't002.db') }), 'CREATE TABLE users (name TEXT)')
    const run = await up(cwd, '--keep-going', '--json')
    expect(run.exitCode).toBe(1)
    const { targets, summary } = jsonLines(run)
    const byTarget = new Map(targets.map((line) => [line.target, line]))
    const empty = { file: '0003_not_written.sql', message: expect.stringContaining('its up section holds no SQL yet') }
    const pragma = { file: '0002_posts.sql', message: expect.stringContaining('PRAGMA foreign_keys has no effect') }
    expect(byTarget.get('sqlite:./tenants/t001.db')).toMatchObject({ state: 'done', warnings: [empty, pragma] })
    expect(byTarget.get('sqlite:./tenants/t002.db')).toMatchObject({ state: 'failed', warnings: [empty] })
    expect(summary.fleet.warnings).toEqual([
      { ...empty, count: 3, targets: expect.arrayContaining(['sqlite:./tenants/t002.db']), listedAll: true },
      { ...pragma, count: 2, targets: expect.arrayContaining(['sqlite:./tenants/t001.db', 'sqlite:./tenants/t003.db']), listedAll: true },
    ])
  })

  it('groups the first 100 distinct warnings and prints each one past them as it comes, so memory stays bounded', async () => {
    const cwd = await tenants('many', 2)
    await mkdir(join(cwd, 'migrations'))
    for (let index = 1; index <= 105; index++) {
      const file = `${String(index).padStart(4, '0')}_table_${index}.sql`
      await writeFile(join(cwd, 'migrations', file), `-- mig:up\nPRAGMA foreign_keys = ON;\nCREATE TABLE t${index} (id INTEGER);\n`)
    }
    const run = await runFleetMig(['up', '--fleet', '--targets', 'sqlite:./tenants/*.db', '--no-lint'], { cwd })
    expect(run.exitCode).toBe(0)
    // 105 from the first target; from the second, only the 5 that no group holds.
    expect(run.stderr.split('\n').filter((line) => line.startsWith('Warning: '))).toHaveLength(110)
    expect(run.stdout.split('\n').filter((line) => line.startsWith('    on 2 targets: '))).toHaveLength(100)
    expect(run.stdout).toContain("  … and 10 more warnings, each printed as it came (--json lists each target's)")
  })
})
