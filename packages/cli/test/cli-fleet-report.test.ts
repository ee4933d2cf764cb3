import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { jsonLines, runFleetMig } from './fleet-support.ts'
import { jsonOf, SQL, temporaryDirectory } from './run-mig.ts'

let project: { path: string; remove: () => Promise<void> }
const mig = (...args: string[]) => runFleetMig(args, { cwd: project.path })

beforeEach(async () => {
  project = await temporaryDirectory('fleet-report')
  await mkdir(join(project.path, 'migrations'))
  await mkdir(join(project.path, 'tenants'))
  await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
  await writeFile(join(project.path, 'migrations', '0002_add_email.sql'), SQL.addEmail)
  await writeFile(join(project.path, 'migrations', '0003_create_posts.sql'), SQL.createPosts)
  for (const name of ['a', 'b']) await writeFile(join(project.path, 'tenants', `${name}.db`), '')
})

afterEach(() => project?.remove())

describe("each target's line of mig up --fleet says what a single mig up says", () => {
  it('how many migrations it applied and how many are still pending after --to or --step', async () => {
    const single = await mig('up', '--url', 'sqlite:./tenants/a.db', '--to', '1')
    expect(single.stdout).toMatch(/Applied 1 migration in .+; 2 migrations still pending\./)

    const stepped = await mig('up', '--fleet', '--targets', 'sqlite:./tenants/*.db', '--step', '1')
    expect(stepped.exitCode).toBe(0)
    expect(stepped.stdout).toMatch(
      /done {2}sqlite:\.\/tenants\/a\.db: applied 1 migration \(0002_add_email\.sql\); 1 migration still pending \(/,
    )
    expect(stepped.stdout).toMatch(
      /done {2}sqlite:\.\/tenants\/b\.db: applied 1 migration \(0001_create_users\.sql\); 2 migrations still pending \(/,
    )

    const all = jsonLines(await mig('up', '--fleet', '--targets', 'sqlite:./tenants/*.db', '--json'))
    const byTarget = Object.fromEntries(all.targets.map((line) => [line.target, line]))
    expect(byTarget['sqlite:./tenants/a.db']).toMatchObject({ state: 'done', migrations: [{ file: '0003_create_posts.sql' }], pending: 0 })
    expect(byTarget['sqlite:./tenants/b.db']).toMatchObject({ state: 'done', pending: 0 })
    expect(byTarget['sqlite:./tenants/b.db'].migrations).toHaveLength(2)
    // The same field a single run's --json has.
    expect(jsonOf(await mig('up', '--url', 'sqlite:./tenants/a.db', '--json'))).toMatchObject({ migrations: [], pending: 0 })
  })

  it('a fully applied target says nothing is pending, in its line as in a single run', async () => {
    const run = await mig('up', '--fleet', '--targets', 'sqlite:./tenants/*.db')
    expect(run.stdout).toMatch(
      /done {2}sqlite:\.\/tenants\/a\.db: applied 3 migrations \(0001_create_users\.sql, 0002_add_email\.sql, 0003_create_posts\.sql\) \(/,
    )
    expect(run.stdout).not.toContain('still pending')
  })
})
