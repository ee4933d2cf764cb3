import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { postgresDriver } from '@mig/postgres'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { queryRows, sqliteTables } from './database-state.ts'
import { jsonOf, type MigRun, runMig, SQL, temporaryDirectory } from './run-mig.ts'

let project: { path: string; remove: () => Promise<void> }
const COMMANDS = [
  'init',
  'create',
  'up',
  'plan',
  'down',
  'redo',
  'status',
  'validate',
  'baseline',
  'repair',
  'dump',
  'drift',
  'test',
  'lint',
]
const NEW_COMMANDS = ['wait', 'db', 'completion', 'version', 'help']

function mig(args: string[], env: Record<string, string> = {}): Promise<MigRun> {
  return runMig(args, { cwd: project.path, env })
}

beforeAll(async () => {
  project = await temporaryDirectory('first-five')
  await mkdir(join(project.path, 'migrations'))
})

afterAll(() => project?.remove())

describe('a mistyped command, subcommand or flag', () => {
  it('gets the closest one that exists, and exit code 2', async () => {
    const command = await mig(['stauts'])
    expect(command.exitCode).toBe(2)
    expect(command.stderr).toContain('Unknown command "stauts". Did you mean status?')
    expect((await mig(['help', 'stauts'])).stderr).toContain('Unknown command "stauts". Did you mean status?')
    expect((await mig(['paln'])).stderr).toContain('Unknown command "paln". Did you mean plan?')
    const flag = await mig(['up', '--dryrun', '--url', 'sqlite:./typo.db'])
    expect(flag.exitCode).toBe(2)
    expect(flag.stderr).toContain('mig up has no option --dryrun. Did you mean --dry-run?')
    const subcommand = await mig(['db', 'craete', '--url', 'sqlite:./typo.db'])
    expect(subcommand.exitCode).toBe(2)
    expect(subcommand.stderr).toContain('mig db has no "craete". Did you mean create?')
    const shell = jsonOf(await mig(['completion', 'zhs', '--json']))
    expect(shell.error).toMatchObject({ code: 'MIG_USAGE', message: expect.stringContaining('Did you mean zsh?') })
    expect(existsSync(join(project.path, 'typo.db'))).toBe(false)
  })

  it('with --json, names the command given even when its options or arguments are refused; null only for an unknown command', async () => {
    const refusals: [string[], string | null, string][] = [
      [['up', '--json', '--foo'], 'up', 'mig up has no option --foo.'],
      [['--json', 'up', '--dryrun'], 'up', 'Did you mean --dry-run?'],
      [['status', '--json', '--bogus'], 'status', 'mig status has no option --bogus.'],
      [['down', 'extra', '--json'], 'down', 'Unexpected argument "extra"'],
      [['db', 'craete', '--json'], 'db', 'Did you mean create?'],
      [['stauts', '--json'], null, 'Did you mean status?'],
    ]
    for (const [args, command, message] of refusals) {
      const run = await mig([...args, '--url', 'sqlite:./typo.db'])
      expect(run.exitCode).toBe(2)
      expect(jsonOf(run)).toEqual({ ok: false, command, error: { code: 'MIG_USAGE', message: expect.stringContaining(message) } })
    }
    expect(existsSync(join(project.path, 'typo.db'))).toBe(false)
  })
})

describe('help', () => {
  it("lists for each command only the global options it reads, and refuses the others on that command's line", async () => {
    const create = (await mig(['help', 'create'])).stdout
    expect(create).toContain('--dir <folder>')
    expect(create).toContain('--url <url>')
    for (const unused of ['--table', '--schema', '--lock-wait', '--single-transaction', '--allow-out-of-order', '--table-lock-timeout']) {
      expect(create).not.toContain(unused)
    }
    const up = (await mig(['up', '--help'])).stdout
    for (const used of ['--table', '--lock-wait', '--single-transaction', '--verbose', '--dry-run']) expect(up).toContain(used)
    const wait = (await mig(['help', 'wait'])).stdout
    expect(wait).toContain('--timeout <seconds>')
    expect(wait).not.toContain('--dir')
    const refused = await mig(['create', 'add_users', '--table', 'history'])
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('mig create has no option --table.')
    expect(await readdir(join(project.path, 'migrations'))).toEqual([])
  })

  it('shows the help of a command given with its subcommand, and names a subcommand that does not exist', async () => {
    const db = await mig(['help', 'db', 'create'])
    expect(db.exitCode).toBe(0)
    expect(db.stdout).toBe((await mig(['db', 'create', '--help'])).stdout)
    const typo = await mig(['help', 'db', 'crate'])
    expect(typo.exitCode).toBe(2)
    expect(typo.stderr).toContain('mig db has no "crate". Did you mean create?')
    const none = await mig(['help', 'up', 'now'])
    expect(none.exitCode).toBe(2)
    expect(none.stderr).toContain('mig up has no subcommands. Usage: mig help up')
  })

  it('status and validate, which never take the migration lock, list no lock options and refuse them', async () => {
    for (const command of ['status', 'validate']) {
      const help = (await mig([command, '--help'])).stdout
      expect(help).toContain('--table <name>')
      for (const unused of ['--lock-wait', '--lock-timeout', '--lock <kind>']) expect(help).not.toContain(unused)
      for (const flag of [
        ['--lock-wait', '5'],
        ['--lock-timeout', '5'],
        ['--lock', 'lease'],
      ]) {
        const refused = await mig([command, ...flag, '--url', 'sqlite:./typo.db'])
        expect(refused.exitCode).toBe(2)
        expect(refused.stderr).toContain(`mig ${command} has no option ${flag[0]}.`)
      }
    }
    for (const command of ['up', 'down', 'baseline', 'repair']) expect((await mig([command, '--help'])).stdout).toContain('--lock-wait')
  })
})

describe('mig version', () => {
  it('prints the version --version prints, as text and as JSON', async () => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'))
    expect((await mig(['version'])).stdout).toBe(`${version}\n`)
    expect((await mig(['--version'])).stdout).toBe(`${version}\n`)
    expect(jsonOf(await mig(['version', '--json']))).toEqual({ ok: true, command: 'version', version })
    expect(jsonOf(await mig(['status', '--version', '--json']))).toEqual({ ok: true, command: 'version', version })
  })
})

describe('mig completion', () => {
  it('prints a bash script that parses and completes commands, subcommands and options', async () => {
    const script = (await mig(['completion', 'bash'])).stdout
    execFileSync('bash', ['-n'], { input: script })
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        ['-c', `${script}\nCOMP_WORDS=(mig ${words.join(' ')}); COMP_CWORD=${words.length}; _mig; echo "\${COMPREPLY[*]}"`],
        {
          encoding: 'utf8',
        },
      ).trim()
    expect(complete('sta')).toBe('status')
    expect(complete('--url', 'sqlite:./a.db', 'db', 'cr')).toBe('create')
    expect(complete('up', '--dry')).toBe('--dry-run')
    expect(complete('create', '--ta')).toBe('')
    expect(complete('completion', 'f')).toBe('fish')
    expect(complete('help', 'wa')).toBe('wait')
  })

  it('prints zsh and fish scripts that list every command with its options', async () => {
    const zsh = (await mig(['completion', 'zsh'])).stdout
    const fish = (await mig(['completion', 'fish'])).stdout
    expect(zsh.startsWith('#compdef mig\n')).toBe(true)
    for (const command of [...COMMANDS, ...NEW_COMMANDS]) {
      expect(zsh).toMatch(new RegExp(`^    '${command}:`, 'm'))
      expect(zsh).toMatch(new RegExp(`^        ${command}\\) _arguments`, 'm'))
      expect(fish).toContain(`complete -c mig -n '__fish_use_subcommand' -a ${command} -d `)
    }
    expect(zsh).toContain("'--timeout[Give up after this long")
    expect(fish).toContain("complete -c mig -n '__fish_seen_subcommand_from db' -a 'create drop'")
    expect(fish).toContain("complete -c mig -n '__fish_seen_subcommand_from up' -l dry-run -d ")
    expect(fish.split('\n').length).toBeGreaterThan(100)
  })
})

describe('mig up, down and redo on SQLite', () => {
  const env = { DATABASE_URL: 'sqlite:./app.db' }

  it('say which database they work on and how long the run took', async () => {
    await writeFile(join(project.path, 'migrations', '0001_create_users.sql'), SQL.createUsers)
    const up = await mig(['up'], env)
    expect(up.exitCode).toBe(0)
    expect(up.stdout).toMatch(/^Database: sqlite:\.\/app\.db\n/)
    expect(up.stdout).toMatch(/Applied 1 migration in \d+ ms\./)
    expect((await mig(['up'], env)).stdout).toMatch(/Nothing to apply: the database is up to date \(checked in \d+ ms\)\./)
    const json = jsonOf(await mig(['redo', '--json'], env))
    expect(json).toMatchObject({ ok: true, database: 'sqlite:./app.db', durationMs: expect.any(Number) })
    expect(jsonOf(await mig(['up', '--json'], env))).toMatchObject({
      database: 'sqlite:./app.db',
      migrations: [],
      durationMs: expect.any(Number),
    })
  })

  it('--verbose prints each piece of SQL on stderr as it is sent: a section whole, or statement by statement outside a transaction', async () => {
    await writeFile(
      join(project.path, 'migrations', '0002_posts.sql'),
      '-- mig:no-transaction\n-- mig:up\nCREATE TABLE posts (id INTEGER);\nCREATE TABLE tags (id INTEGER);\n-- mig:down\nDROP TABLE tags;\nDROP TABLE posts;\n',
    )
    const up = await mig(['up', '--verbose', '--json'], env)
    expect(jsonOf(up).migrations).toMatchObject([{ file: '0002_posts.sql' }])
    expect(up.stderr).toBe(
      '  0002_posts.sql:\n    CREATE TABLE posts (id INTEGER);\n  0002_posts.sql:\n    CREATE TABLE tags (id INTEGER);\n',
    )
    const down = await mig(['down', '--step', '2', '--verbose'], env)
    expect(down.stderr).toBe(
      '  0002_posts.sql:\n    DROP TABLE tags;\n  0002_posts.sql:\n    DROP TABLE posts;\n  0001_create_users.sql:\n    DROP TABLE users;\n',
    )
    expect((await mig(['up'], env)).stderr).toBe('')
  })
})

describe('mig wait and mig db on SQLite', () => {
  it('wait gives up on a folder that does not exist with exit code 7, and finds a file that does', async () => {
    const missing = await mig(['wait', '--url', 'sqlite:./volume/app.db', '--timeout', '1', '--json'])
    expect(missing.exitCode).toBe(7)
    expect(jsonOf(missing).error).toMatchObject({
      code: 'MIG_WAIT_TIMEOUT',
      database: 'sqlite:./volume/app.db',
      timeoutSeconds: 1,
      lastError: expect.stringContaining('volume of the SQLite database does not exist'),
    })
    expect(missing.stderr).toContain('Waiting for sqlite:./volume/app.db')
    expect(existsSync(join(project.path, 'volume'))).toBe(false)
    await mkdir(join(project.path, 'volume'))
    const noFile = await mig(['wait', '--url', 'sqlite:./volume/app.db'])
    expect(noFile.exitCode).toBe(0)
    expect(noFile.stdout).toContain('the database does not exist yet: mig db create creates it')
    expect(existsSync(join(project.path, 'volume', 'app.db'))).toBe(false)
  })

  it('db create makes the file once, db drop refuses without --yes and then deletes it, keeping its lock file', async () => {
    const env = { DATABASE_URL: 'sqlite:./volume/dev.db' }
    const file = join(project.path, 'volume', 'dev.db')
    expect(jsonOf(await mig(['db', 'create', '--json'], env))).toMatchObject({ action: 'create', outcome: 'created' })
    expect(existsSync(file)).toBe(true)
    const again = await mig(['db', 'create'], env)
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe('sqlite:./volume/dev.db already exists; nothing was changed.\n')
    expect(jsonOf(await mig(['wait', '--json'], env))).toMatchObject({ ready: true, databaseExists: true })
    expect((await mig(['up'], env)).exitCode).toBe(0)
    expect(await sqliteTables(file)).toContain('users')

    const refused = await mig(['db', 'drop'], env)
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('mig db drop deletes sqlite:./volume/dev.db and everything in it')
    expect(await sqliteTables(file)).toContain('users')
    expect((await mig(['db', 'drop', '--yes'], env)).stdout).toBe('Dropped sqlite:./volume/dev.db.\n')
    expect((await readdir(join(project.path, 'volume'))).filter((name) => name.startsWith('dev.db'))).toEqual([
      'dev.db.mig_migrations.lock',
    ])
    expect(jsonOf(await mig(['db', 'drop', '--yes', '--json'], env))).toMatchObject({ outcome: 'missing' })
    expect((await mig(['db', 'create', '--url', 'sqlite::memory:'])).exitCode).toBe(2)
  })

  it('db drop --yes leaves a file that is not a SQLite database alone: a mistyped URL deletes nothing', async () => {
    await writeFile(join(project.path, 'package.json'), '{ "name": "app" }\n')
    const refused = await mig(['db', 'drop', '--yes'], { DATABASE_URL: 'sqlite:./package.json' })
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('package.json is not a SQLite database, so mig db drop leaves it alone. Check the URL.')
    expect(await readFile(join(project.path, 'package.json'), 'utf8')).toBe('{ "name": "app" }\n')
  })

  it('db create on a file that is not a SQLite database says so, not that the database exists, and changes nothing', async () => {
    await writeFile(join(project.path, 'notes.txt'), 'plain text\n')
    const env = { DATABASE_URL: 'sqlite:./notes.txt' }
    const refused = await mig(['db', 'create'], env)
    expect(refused.exitCode).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toMatch(/notes\.txt exists but is not a SQLite database, so mig db create leaves it alone\. Check the URL\./)
    expect(jsonOf(await mig(['db', 'create', '--json'], env))).toMatchObject({
      ok: false,
      command: 'db',
      error: { code: 'MIG_INVALID_OPTIONS' },
    })
    expect(await readFile(join(project.path, 'notes.txt'), 'utf8')).toBe('plain text\n')
  })
})

describe('mig db and a missing database on PostgreSQL', () => {
  /** A name that is only safe quoted: mixed case, both quotes and a space. */
  const name = `mig_test_${randomBytes(4).toString('hex')}_Odd"' Name`
  const password = `pw-${randomBytes(8).toString('hex')}`
  const role = `mig_db_${randomBytes(4).toString('hex')}`
  let url: string
  const databases = async () =>
    (
      await queryRows<{ datname: string }>(postgresDriver({ connectionString: inject('postgresUrl') }), 'SELECT datname FROM pg_database')
    ).map((row) => row.datname)

  beforeAll(async () => {
    await queryRows(
      postgresDriver({ connectionString: inject('postgresUrl') }),
      `CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password}'`,
    )
    const address = new URL(inject('postgresUrl'))
    address.username = role
    address.password = password
    address.pathname = `/${encodeURIComponent(name)}`
    url = address.toString()
  })

  afterAll(async () => {
    await queryRows(
      postgresDriver({ connectionString: inject('postgresUrl') }),
      `DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`,
    )
    await queryRows(postgresDriver({ connectionString: inject('postgresUrl') }), `DROP ROLE IF EXISTS ${role}`).catch(() => {})
  })

  it('up against a database that does not exist says to run mig db create, and writes nothing', async () => {
    const up = await mig(['up'], { DATABASE_URL: url })
    expect(up.exitCode).toBe(6)
    expect(up.stderr).toContain(`database "${name}" does not exist`)
    expect(up.stderr).toContain('Hint: Create it with mig db create (same URL), then run this again.')
    expect(up.stdout + up.stderr).not.toContain(password)
    expect(jsonOf(await mig(['status', '--json'], { DATABASE_URL: url })).error).toMatchObject({
      code: 'MIG_DATABASE_ERROR',
      sqlState: '3D000',
      hint: expect.stringContaining('mig db create'),
    })
    const wait = jsonOf(await mig(['wait', '--json'], { DATABASE_URL: url }))
    expect(wait).toMatchObject({ ok: true, ready: true, databaseExists: false })
    expect(await databases()).not.toContain(name)
  })

  it('db create makes the database under its exact name once; up then migrates it', async () => {
    const created = await mig(['db', 'create', '--json'], { DATABASE_URL: url })
    expect(jsonOf(created)).toMatchObject({
      ok: true,
      action: 'create',
      outcome: 'created',
      database: expect.stringContaining(`${role}:***@`),
    })
    expect(await databases()).toContain(name)
    expect(jsonOf(await mig(['db', 'create', '--json'], { DATABASE_URL: url }))).toMatchObject({ outcome: 'exists' })
    const up = await mig(['up'], { DATABASE_URL: url })
    expect(up.exitCode).toBe(0)
    expect(up.stdout).toContain(`Database: postgres://${role}:***@`)
    expect(up.stdout + up.stderr).not.toContain(password)
  })

  it('db drop refuses without --yes, refuses the maintenance database, and drops with --yes', async () => {
    const refused = await mig(['db', 'drop'], { DATABASE_URL: url })
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('run mig db drop --yes to confirm')
    expect(await databases()).toContain(name)
    const maintenance = new URL(url)
    maintenance.pathname = '/postgres'
    const postgres = await mig(['db', 'drop', '--yes', '--json'], { DATABASE_URL: maintenance.toString() })
    expect(postgres.exitCode).toBe(2)
    expect(jsonOf(postgres).error.message).toContain('mig db drop does not drop "postgres"')
    expect(jsonOf(await mig(['db', 'drop', '--yes', '--json'], { DATABASE_URL: url }))).toMatchObject({ outcome: 'dropped' })
    expect(await databases()).not.toContain(name)
    expect(jsonOf(await mig(['db', 'drop', '--yes', '--json'], { DATABASE_URL: url }))).toMatchObject({ outcome: 'missing' })
  })
})
