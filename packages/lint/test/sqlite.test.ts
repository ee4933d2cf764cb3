import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { lintPlan, migrations, migrationText, rulesOf } from './lint-helpers.js'

/** better-sqlite3, the SQLite that @mig/sqlite runs on, as far as these tests use it. */
const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  filename: string,
) => {
  exec(sql: string): void
  prepare(sql: string): { all(): unknown[] }
  close(): void
}

const USERS = migrationText('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);')

describe('SQLite ADD COLUMN', () => {
  it('refuses PRIMARY KEY and UNIQUE columns even on a new, empty table', async () => {
    const plan = migrations(
      USERS,
      migrationText('ALTER TABLE users ADD COLUMN code TEXT UNIQUE;\nALTER TABLE users ADD COLUMN "key" INTEGER PRIMARY KEY;'),
    )
    const result = await lintPlan('sqlite', plan, 0)
    expect(result.findings.map((finding) => finding.message)).toEqual([
      expect.stringMatching(/a UNIQUE column cannot be added/),
      expect.stringMatching(/a PRIMARY KEY column cannot be added/),
    ])
  })

  it('refuses a non-constant default or a STORED column only where the table may have rows', async () => {
    const statements =
      "ALTER TABLE users ADD COLUMN seen TEXT DEFAULT CURRENT_TIMESTAMP;\nALTER TABLE users ADD COLUMN n INTEGER DEFAULT (1 + 1);\nALTER TABLE users ADD COLUMN d INTEGER GENERATED ALWAYS AS (id * 2) STORED;\nALTER TABLE users ADD COLUMN v INTEGER GENERATED ALWAYS AS (id * 2);\nALTER TABLE users ADD COLUMN c TEXT DEFAULT 'x';"
    expect(rulesOf(await lintPlan('sqlite', migrations(USERS, migrationText(statements)), 1))).toEqual([
      'sqlite-add-column-refused',
      'sqlite-add-column-refused',
      'sqlite-add-column-refused',
    ])
    expect(rulesOf(await lintPlan('sqlite', migrations(USERS, migrationText(statements)), 0))).toEqual([])
    const filled = migrations(USERS, migrationText(`INSERT INTO users (email) VALUES ('a@example.com');\n${statements}`))
    expect(rulesOf(await lintPlan('sqlite', filled, 0))).toHaveLength(3)
  })
})

describe('SQLite ADD COLUMN defaults, checked against SQLite itself', () => {
  it('a literal in parentheses is a constant; any other expression, or a REFERENCES column with a default, is refused on a table with rows', async () => {
    const columns = [
      'a INTEGER NOT NULL DEFAULT (0)',
      "b TEXT DEFAULT ('x')",
      'c INTEGER NOT NULL DEFAULT ((- 2)) CHECK (c < 0)',
      "d BLOB DEFAULT (X'00')",
      'k INTEGER REFERENCES users (id)',
      'l INTEGER REFERENCES users (id) DEFAULT NULL',
      'e INTEGER NOT NULL DEFAULT (NULL)',
      'f INTEGER DEFAULT (1 + 1)',
      'g INTEGER DEFAULT (random())',
      "h TEXT DEFAULT ('a' || 'b')",
      'i INTEGER REFERENCES users (id) DEFAULT 1',
      'j INTEGER NOT NULL DEFAULT (1) REFERENCES users (id)',
    ]
    const database = new Database(':memory:')
    database.exec('CREATE TABLE users (id INTEGER PRIMARY KEY);\nINSERT INTO users (id) VALUES (1);')
    const refusedBySqlite = columns.filter((column) => {
      try {
        database.exec(`ALTER TABLE users ADD COLUMN ${column};`)
        return false
      } catch {
        return true
      }
    })
    database.close()
    expect(refusedBySqlite).toEqual(columns.slice(6))
    const refusedByLint = []
    for (const column of columns) {
      const added = migrationText(`ALTER TABLE users ADD COLUMN ${column};`)
      if ((await lintPlan('sqlite', migrations(USERS, added), 1)).findings.length) refusedByLint.push(column)
    }
    expect(refusedByLint).toEqual(refusedBySqlite)
  })
})

describe('SQLite ADD COLUMN recipes', () => {
  it('write the column again without the refused part, ending with one semicolon', async () => {
    const statements =
      'ALTER TABLE users ADD COLUMN d INTEGER GENERATED ALWAYS AS (id * 2) STORED;\nALTER TABLE users ADD COLUMN invited_by INTEGER DEFAULT (1) REFERENCES users (id) ON DELETE SET NULL;'
    const recipes = (await lintPlan('sqlite', migrations(USERS, migrationText(statements)), 1)).findings.map(
      (finding) => finding.recipe?.split('\n')[0],
    )
    expect(recipes).toEqual([
      'ALTER TABLE users ADD COLUMN d INTEGER GENERATED ALWAYS AS (id * 2) VIRTUAL;',
      'ALTER TABLE users ADD COLUMN invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL;',
    ])
  })
})

describe('SQLite table rebuilds', () => {
  it('names the indexes and triggers the rebuild loses, and passes once they are created again', async () => {
    const setup = migrationText(
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\nCREATE INDEX users_email ON users (email);\nCREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;',
    )
    const rebuild =
      'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users_new SELECT * FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;'
    const [finding] = (await lintPlan('sqlite', migrations(setup, migrationText(rebuild)), 1)).findings
    expect(finding?.message).toMatch(/drops its index users_email, trigger users_touch/)
    const kept = `${rebuild}\nCREATE INDEX users_email ON users (email);\nCREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;`
    expect((await lintPlan('sqlite', migrations(setup, migrationText(kept)), 1)).findings).toEqual([])
  })

  it('also when the old table is renamed away first and dropped after the copy, as SQLite then drops what it took along', async () => {
    const setup =
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\nCREATE INDEX users_email ON users (email);\nCREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;'
    const rebuild =
      'ALTER TABLE users RENAME TO users_old;\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nINSERT INTO users SELECT * FROM users_old;\nDROP TABLE users_old;'
    const database = new Database(':memory:')
    database.exec(`${setup}\n${rebuild}`)
    expect(database.prepare("SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger')").all()).toEqual([])
    database.close()
    const [finding, ...others] = (await lintPlan('sqlite', migrations(migrationText(setup), migrationText(rebuild)), 1)).findings
    expect(finding).toMatchObject({
      line: 5,
      message: expect.stringMatching(/^Rebuilding users drops its index users_email, trigger users_touch/),
    })
    expect(finding?.recipe?.split('\n')[0]).toBe('-- after DROP TABLE users_old, in the same migration:')
    expect(others).toEqual([])
    const kept = `${rebuild}\nCREATE INDEX users_email ON users (email);\nCREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;`
    expect((await lintPlan('sqlite', migrations(migrationText(setup), migrationText(kept)), 1)).findings).toEqual([])
    // A table renamed for good, with nothing created in its place, keeps its indexes: nothing to report.
    const renamed = 'ALTER TABLE users RENAME TO accounts;\nDROP TABLE accounts;'
    expect(rulesOf(await lintPlan('sqlite', migrations(migrationText(setup), migrationText(renamed)), 1))).toEqual([])
  })

  it('does not ask to create again an index on a column the rebuild dropped, which SQLite would refuse', async () => {
    const setup =
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, legacy_id TEXT);\nCREATE UNIQUE INDEX users_legacy ON users (id, "Legacy_Id" COLLATE NOCASE DESC);\nCREATE INDEX users_email ON users (lower(email));'
    const rebuild =
      'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT);\nINSERT INTO users_new (id, email) SELECT id, email FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users;'
    // The expression index may still be wanted: lint cannot tell which columns it reads, so it is still reported.
    const [finding, ...others] = (await lintPlan('sqlite', migrations(migrationText(setup), migrationText(rebuild)), 1)).findings
    expect(finding?.message).toBe(
      'Rebuilding users drops its index users_email with the old table, and this migration does not create it again.',
    )
    expect(others).toEqual([])
  })
})

describe('SQLite PRAGMAs', () => {
  it('flags foreign_keys and journal_mode in a transactional migration, not outside one', async () => {
    const pragmas = 'PRAGMA foreign_keys = ON;\nPRAGMA main.journal_mode = WAL;\nPRAGMA user_version = 3;'
    const linted = await lintPlan('sqlite', migrations(USERS, migrationText(pragmas)), 1)
    expect(rulesOf(linted)).toEqual(['sqlite-pragma-no-effect', 'sqlite-pragma-no-effect'])
    // foreign_keys is removed, as the driver's warning says; journal_mode moves to a migration outside a transaction.
    expect(linted.findings[0]?.recipe).toMatch(/^-- remove it:/)
    expect(linted.findings[1]?.recipe).toMatch(/^-- mig:no-transaction$/m)
    expect((await lintPlan('sqlite', migrations(USERS, migrationText(pragmas, 'no-transaction')), 1)).findings).toEqual([])
  })

  it('asks to remove PRAGMA foreign_keys = OFF, not to move it where it would switch off the foreign key check of later migrations', async () => {
    const pragmas = "PRAGMA foreign_keys = OFF;\nPRAGMA main.foreign_keys=0;\nPRAGMA foreign_keys('off');"
    const findings = (await lintPlan('sqlite', migrations(USERS, migrationText(pragmas)), 1)).findings
    expect(findings.map((finding) => finding.line)).toEqual([2, 3, 4])
    for (const finding of findings) {
      expect(finding.recipe).toMatch(/^-- remove it: mig already runs each migration with foreign keys off/)
      expect(finding.recipe).not.toMatch(/^-- mig:no-transaction$/m)
    }
  })
})
