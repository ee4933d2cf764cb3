import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { convertSchema, fromList, Migrator } from '@mig/core'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'

const schema = `-- Shop schema, applied by hand until now.

PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS customers (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE
);

-- Orders reference customers.
CREATE TABLE IF NOT EXISTS "order" (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  total INTEGER NOT NULL CHECK (total >= 0)
);
CREATE INDEX IF NOT EXISTS idx_order_customer ON "order" (customer_id);

CREATE VIEW big_orders AS SELECT * FROM "order" WHERE total > 1000;
CREATE VIEW big_customers AS SELECT DISTINCT customer_id FROM big_orders;

CREATE TRIGGER order_audit AFTER INSERT ON "order"
BEGIN
  UPDATE customers SET email = email WHERE id = NEW.customer_id;
END;

-- Use Write-Ahead Logging for better concurrency
PRAGMA journal_mode = WAL;
`

describe('converting a SQLite schema file into migrations', () => {
  it('keeps the schema, derives a down in dependency order, and sorts out the PRAGMAs', async () => {
    const conversion = await convertSchema(sqliteDriver({ filename: ':memory:' }), schema)
    expect(conversion.up).not.toMatch(/PRAGMA|IF NOT EXISTS|Write-Ahead/)
    expect(conversion.up).toMatch(/^-- Shop schema, applied by hand until now\.\n\nCREATE TABLE customers \(/)
    expect(conversion.up).toContain('-- Orders reference customers.\nCREATE TABLE "order" (')
    expect(conversion.up).toContain('CREATE TRIGGER order_audit')
    expect(conversion.down).toBe(
      ['DROP VIEW "big_customers";', 'DROP VIEW "big_orders";', 'DROP TABLE "order";', 'DROP TABLE "customers";'].join('\n'),
    )
    expect(conversion.lastingSettings).toEqual({ up: 'PRAGMA journal_mode = WAL;', down: 'PRAGMA journal_mode = DELETE;' })
    expect(conversion.connectionSettings).toEqual([
      { statement: 'PRAGMA foreign_keys = ON;', advice: expect.stringContaining('sqliteDriver({ pragmas: { foreign_keys: "ON" } })') },
    ])
    expect(conversion.notes).toEqual([expect.stringMatching(/^Removed IF NOT EXISTS from 3 statement\(s\)/)])
  })

  it('drops a virtual table too, so the converted migration passes the reversibility test', async () => {
    const conversion = await convertSchema(
      sqliteDriver({ filename: ':memory:' }),
      'CREATE TABLE notes (id INTEGER PRIMARY KEY);\nCREATE VIRTUAL TABLE notes_search USING fts5(body);\n',
    )
    expect(conversion.down).toBe('DROP TABLE "notes";\nDROP TABLE "notes_search";')
    const folder = mkdtempSync(join(tmpdir(), 'mig-convert-'))
    try {
      const source = fromList([{ version: 1, name: 'initial_schema', up: conversion.up, down: conversion.down }])
      const migrator = new Migrator({ driver: sqliteDriver({ filename: join(folder, 'app.db') }), source })
      expect((await migrator.testReversibility()).passed).toBe(true)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('adopts a database from what sqlite3 .schema prints: its internal tables left out, its view notes not counted', async () => {
    const byHand = [
      'CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL);',
      "CREATE VIEW active AS SELECT id, email FROM accounts WHERE email <> '';",
      'CREATE VIEW "first id" AS SELECT min(id) * 2 FROM active;',
    ].join('\n')
    // What `sqlite3 app.db .schema` prints for that database, after an ANALYZE.
    const printed = [
      'CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL);',
      'CREATE TABLE sqlite_sequence(name,seq);',
      "CREATE VIEW active AS SELECT id, email FROM accounts WHERE email <> ''\n/* active(id,email) */;",
      'CREATE VIEW "first id" AS SELECT min(id) * 2 FROM active\n/* "first id"("min(id) * 2") */;',
      'CREATE TABLE sqlite_stat1(tbl,idx,stat);',
    ].join('\n')
    const conversion = await convertSchema(sqliteDriver({ filename: ':memory:' }), printed)
    expect(conversion.leftOut.map((item) => item.statement)).toEqual([
      'CREATE TABLE sqlite_sequence(name,seq);',
      'CREATE TABLE sqlite_stat1(tbl,idx,stat);',
    ])
    expect(conversion.leftOut[0]?.reason).toMatch(/SQLite creates its internal tables itself \(for AUTOINCREMENT\)/)
    expect(conversion.down).toBe('DROP VIEW "first id";\nDROP VIEW "active";\nDROP TABLE "accounts";')
    const folder = mkdtempSync(join(tmpdir(), 'mig-convert-'))
    try {
      const source = fromList([{ version: 1, name: 'initial_schema', up: conversion.up, down: conversion.down }])
      for (const built of [byHand, printed.replace(/^CREATE TABLE sqlite_\w+\(.*\n?/gm, '')]) {
        const filename = join(folder, `app-${built === byHand ? 'hand' : 'printed'}.db`)
        const database = new Database(filename)
        database.exec(built)
        database.close()
        const migrator = new Migrator({ driver: sqliteDriver({ filename }), source })
        expect((await migrator.baseline({ to: 1 })).map((info) => info.file)).toEqual(['1_initial_schema'])
        expect((await migrator.drift()).differences).toEqual([])
      }
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('refuses a schema that does not build, saying why', async () => {
    await expect(
      convertSchema(sqliteDriver({ filename: ':memory:' }), 'CREATE TABLE a (id INTEGER);\nCREATE INDEX i ON missing (x);'),
    ).rejects.toThrow(/The schema does not build on an empty database, at line 2: no such table: main.missing/)
  })
})
