import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sqliteDriver } from '@mig/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { queryRows } from './database-state.ts'
import { jsonOf, runMig, temporaryDirectory } from './run-mig.ts'

let project: string
let removeProject: () => Promise<void>

const mig = (...args: string[]) => runMig([...args, '--url', 'sqlite:./app.db'], { cwd: project })
// Root writes any file, so runMig drops that power for tests of file permissions.
const unprivileged = (...args: string[]) => runMig([...args, '--url', 'sqlite:./app.db'], { cwd: project, unprivileged: true })
const write = (file: string, text: string) => writeFile(join(project, 'migrations', file), text)

beforeEach(async () => {
  const directory = await temporaryDirectory('sqlite-files')
  project = directory.path
  removeProject = directory.remove
  await mkdir(join(project, 'migrations'))
})

afterEach(() => removeProject())

describe('SQLite migrations as applications have them', () => {
  it('a 10 MB migration of single-row INSERTs is linted, planned and applied, every row', async () => {
    const rows: string[] = []
    let size = 0
    for (let id = 1; size < 10_000_000; id++) {
      const row = `INSERT INTO items VALUES (${id}, 'row ${id}: lorem ipsum dolor sit amet, it''s a row; -- not a comment');\n`
      rows.push(row)
      size += row.length
    }
    await write(
      '0001_items.sql',
      `-- mig:up\nCREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT);\n${rows.join('')}-- mig:down\nDROP TABLE items;\n`,
    )

    const plan = jsonOf(await mig('plan', '--json'))
    expect(plan).toMatchObject({ ok: true, command: 'plan', findings: [] })
    const up = await mig('up')
    expect(up.exitCode).toBe(0)
    const [count] = await queryRows<{ n: number }>(sqliteDriver({ filename: join(project, 'app.db') }), 'SELECT COUNT(*) AS n FROM items')
    expect(count?.n).toBe(rows.length)
  }, 30_000)

  it('a migration or dump file mig may not write is MIG_FILE_ACCESS naming the file and the fix, with nothing written', async () => {
    await write('0001_users.sql', '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n')
    expect((await mig('up')).exitCode).toBe(0)
    await mkdir(join(project, 'locked'))
    await chmod(join(project, 'locked'), 0o555)
    await chmod(join(project, 'migrations'), 0o555)
    try {
      const create = await unprivileged('create', 'add_posts', '--json')
      expect(create.exitCode).toBe(2)
      expect(jsonOf(create).error).toMatchObject({ code: 'MIG_FILE_ACCESS' })
      expect(jsonOf(create).error.message).toMatch(
        /^mig could not open .*0002_add_posts\.sql: permission denied\. Give the user running mig access to it\.$/,
      )
      const dump = await unprivileged('dump', '--file', 'locked/schema.sql')
      expect(dump.exitCode).toBe(2)
      expect(dump.stderr).toMatch(/Error MIG_FILE_ACCESS: mig could not open .*locked\/schema\.sql: permission denied\./)
    } finally {
      await chmod(join(project, 'migrations'), 0o755)
    }
    expect(await readdir(join(project, 'migrations'))).toEqual(['0001_users.sql'])
    expect(await readdir(join(project, 'locked'))).toEqual([])
  })

  it('a lock file mig cannot write is a database error at once, not a lock another run holds', async () => {
    await write('0001_users.sql', '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n')
    expect((await mig('up')).exitCode).toBe(0)
    await write('0002_posts.sql', '-- mig:up\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n')
    await chmod(join(project, 'app.db.mig_migrations.lock'), 0o444)

    const run = await unprivileged('up', '--lock-wait', '30', '--json')
    expect(run.exitCode).toBe(6)
    const { error } = jsonOf(run)
    expect(error.code).toBe('MIG_DATABASE_ERROR')
    const lock = join(project, 'app.db.mig_migrations.lock')
    expect(error.message).toContain(`Cannot write the migration lock file ${lock}`)
    expect(error.message).toContain(`It belongs to uid ${process.getuid?.()} with mode 0444, and mig runs as uid ${process.getuid?.()}.`)
    expect(error.message).toContain(
      `(chown --reference=${join(project, 'app.db')} ${lock}; chmod --reference=${join(project, 'app.db')} ${lock})`,
    )
    expect(run.stderr).not.toContain('Waiting for the migration lock')
    const tables = await queryRows<{ name: string }>(
      sqliteDriver({ filename: join(project, 'app.db') }),
      "SELECT name FROM sqlite_master WHERE name = 'posts'",
    )
    expect(tables).toEqual([])
  })

  it('a database folder mig cannot write is named as the cause, not the lock file it holds', async () => {
    await write('0001_users.sql', '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n')
    expect((await mig('up')).exitCode).toBe(0)
    await write('0002_posts.sql', '-- mig:up\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n')
    await chmod(project, 0o555)
    let run: Awaited<ReturnType<typeof unprivileged>>
    try {
      run = await unprivileged('up', '--json')
    } finally {
      await chmod(project, 0o755)
    }
    expect(run.exitCode).toBe(6)
    expect(jsonOf(run).error).toMatchObject({ code: 'MIG_DATABASE_ERROR', sqlState: 'SQLITE_READONLY_DIRECTORY' })
    expect(jsonOf(run).error.message).toContain(
      `Its folder ${project} is read-only for the user running mig, and SQLite writes the lock file's journal there: give that user write access to the folder.`,
    )
    const history = await queryRows(sqliteDriver({ filename: join(project, 'app.db') }), 'SELECT version FROM mig_migrations')
    expect(history).toEqual([{ version: '1' }])
  })

  it('VACUUM in a migration that runs in a transaction fails naming -- mig:no-transaction, and runs in one marked so', async () => {
    await write('0001_vacuum.sql', '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\nVACUUM;\n')
    const failed = await mig('up', '--json')
    expect(failed.exitCode).toBe(1)
    const { error } = jsonOf(failed)
    expect(error).toMatchObject({ code: 'MIG_MIGRATION_FAILED', position: { line: 3 }, rolledBack: true })
    expect(error.message).toContain('cannot VACUUM from within a transaction')
    expect(error.message).toContain('move it to a migration of its own that starts with "-- mig:no-transaction"')

    await write('0001_vacuum.sql', '-- mig:no-transaction\n-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\nVACUUM;\n')
    expect((await mig('up')).exitCode).toBe(0)
    const history = await queryRows<{ state: string }>(
      sqliteDriver({ filename: join(project, 'app.db') }),
      'SELECT state FROM mig_migrations',
    )
    expect(history).toEqual([{ state: 'applied' }])
  })

  it('a database file mig cannot write is reported with the file and the access it needs, and nothing is written', async () => {
    await write('0001_users.sql', '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n')
    expect((await runMig(['db', 'create', '--url', 'sqlite:./app.db'], { cwd: project })).exitCode).toBe(0)
    await chmod(join(project, 'app.db'), 0o444)

    const run = await unprivileged('up', '--json')
    expect(run.exitCode).toBe(6)
    expect(jsonOf(run).error).toMatchObject({
      code: 'MIG_DATABASE_ERROR',
      sqlState: 'SQLITE_READONLY',
      hint: `${join(project, 'app.db')} is read-only for the user running mig: it needs write access to the file and to its folder, where SQLite writes its journal.`,
    })
    const tables = await queryRows(sqliteDriver({ filename: join(project, 'app.db') }), 'SELECT name FROM sqlite_master')
    expect(tables).toEqual([])
  })

  it('a URL naming a file that is not a SQLite database is a database error naming the file, for every command that reads it', async () => {
    await write('0001_users.sql', '-- mig:up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n')
    await writeFile(join(project, 'app.db'), 'notes, not a database\n')
    for (const command of ['up', 'status', 'dump', 'drift']) {
      const run = await mig(command, '--json')
      expect(run.exitCode, command).toBe(6)
      expect(jsonOf(run).error, command).toMatchObject({
        code: 'MIG_DATABASE_ERROR',
        sqlState: 'SQLITE_NOTADB',
        hint: `${join(project, 'app.db')} is not a SQLite database (nor an empty file): check the path in the URL.`,
      })
    }
    // Nothing written beside it either: no lock file.
    expect((await readdir(project)).sort()).toEqual(['app.db', 'migrations'])
  })

  it('a table rebuild under a view names the fix at the rename, and keeps child rows once the view is dropped and made again', async () => {
    await write(
      '0001_users.sql',
      `-- mig:up
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE);
CREATE VIEW user_emails AS SELECT email FROM users;
INSERT INTO users VALUES (1, 'a@example.com');
INSERT INTO posts VALUES (1, 1);
`,
    )
    const rebuild = `CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL DEFAULT '');
INSERT INTO users_new SELECT id, coalesce(email, '') FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
`
    await write('0002_rebuild.sql', `-- mig:up\n${rebuild}`)
    const failed = await mig('up')
    expect(failed.exitCode).toBe(1)
    expect(failed.stderr).toContain('0002_rebuild.sql:5:1 failed: error in view user_emails: no such table: main.users')
    expect(failed.stderr).toContain('Drop the view before the rebuild and create it again after the rename')

    await write('0002_rebuild.sql', `-- mig:up\nDROP VIEW user_emails;\n${rebuild}CREATE VIEW user_emails AS SELECT email FROM users;\n`)
    expect((await mig('up')).exitCode).toBe(0)
    const filename = join(project, 'app.db')
    expect(await queryRows(sqliteDriver({ filename }), 'SELECT id, user_id FROM posts')).toEqual([{ id: 1, user_id: 1 }])
    expect(await queryRows(sqliteDriver({ filename }), 'SELECT email FROM user_emails')).toEqual([{ email: 'a@example.com' }])
  })

  it('a rebuild outside a transaction with foreign keys on is refused before it can cascade; with them off it keeps child rows', async () => {
    await write(
      '0001_users.sql',
      `-- mig:up
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE);
INSERT INTO users VALUES (1, 'a@example.com');
INSERT INTO posts VALUES (1, 1);
`,
    )
    expect((await mig('up')).exitCode).toBe(0)
    const rebuild = `CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL DEFAULT '');
INSERT INTO users_new SELECT id, coalesce(email, '') FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
`
    await write('0002_rebuild.sql', `-- mig:no-transaction\n-- mig:up\n${rebuild}`)
    const refused = await mig('up', '--json')
    expect(refused.exitCode).toBe(1)
    expect(jsonOf(refused).error.findings).toMatchObject([{ rule: 'sqlite-rebuild-cascades', file: '0002_rebuild.sql', line: 5 }])
    const filename = join(project, 'app.db')
    expect(await queryRows(sqliteDriver({ filename }), 'SELECT id, user_id FROM posts')).toEqual([{ id: 1, user_id: 1 }])

    await write('0002_rebuild.sql', `-- mig:no-transaction\n-- mig:up\nPRAGMA foreign_keys = OFF;\n${rebuild}PRAGMA foreign_keys = ON;\n`)
    expect((await mig('up')).exitCode).toBe(0)
    expect(await queryRows(sqliteDriver({ filename }), 'SELECT id, user_id FROM posts')).toEqual([{ id: 1, user_id: 1 }])
  })
})
