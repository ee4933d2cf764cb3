import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Driver, fromDirectory, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase } from '@mig-internal/test-postgres'
import Database from 'better-sqlite3'
import pg from 'pg'
import { inject } from 'vitest'

export type Dialect = 'sqlite' | 'postgres'

const exampleFolder = fileURLToPath(new URL('../..', import.meta.url))

/** A file of the example's `schema/` folder. */
export const schemaFile = (name: string): string => join(exampleFolder, 'schema', name)

/** The migrations folder of one dialect. */
export const migrationsFolder = (dialect: Dialect): string => join(exampleFolder, 'migrations', dialect)

/** The schema files a team applied by hand, per dialect: the current one and the November 2025 one. */
export const handAppliedSchemas: Record<Dialect, { current: string; november2025: string }> = {
  sqlite: { current: schemaFile('schema.sql'), november2025: schemaFile('initdatabase-2025-11.sql') },
  postgres: { current: schemaFile('schema.postgres.sql'), november2025: schemaFile('initdatabase-2025-11.postgres.sql') },
}

/** A real, empty database of one dialect, made for one test. */
export interface ExampleDatabase {
  readonly dialect: Dialect
  /** The URL to give the CLI. */
  readonly url: string
  migrator(): Migrator
  /** Executes a schema file directly with the database client, the way llm-proxy's users built their databases. */
  applyByHand(file: string): Promise<void>
  /** Runs SQL directly with the database client (`?` placeholders on SQLite, `$1` on PostgreSQL). */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>
  /** The application's tables, without mig's own. */
  tables(): Promise<string[]>
  /** Whether mig's history table exists. */
  hasHistoryTable(): Promise<boolean>
  /**
   * Everything a write could change. SQLite: the bytes of the database file and the names of
   * the files beside it (a journal or WAL appears on a write). PostgreSQL: every schema,
   * relation, column, default, constraint and index in the catalogs.
   */
  fingerprint(): Promise<string>
  remove(): Promise<void>
}

export const dialects: readonly Dialect[] = ['sqlite', 'postgres']

export function createDatabase(dialect: Dialect): Promise<ExampleDatabase> {
  return dialect === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase()
}

async function createSqliteDatabase(): Promise<ExampleDatabase> {
  const folder = await mkdtemp(join(tmpdir(), 'mig-llm-proxy-'))
  const filename = join(folder, 'llm-proxy.db')
  const withDatabase = <T>(work: (database: Database.Database) => T): T => {
    const database = new Database(filename)
    try {
      return work(database)
    } finally {
      database.close()
    }
  }
  const driver = (): Driver => sqliteDriver({ filename, pragmas: { foreign_keys: 'ON' } })
  return {
    dialect: 'sqlite',
    url: `sqlite:${filename}`,
    migrator: () => new Migrator({ driver: driver(), source: fromDirectory(migrationsFolder('sqlite')) }),
    applyByHand: async (file) => void withDatabase((database) => database.exec(readFileSync(file, 'utf8'))),
    query: async <Row>(sql: string, params: unknown[] = []) =>
      withDatabase((database) => {
        const statement = database.prepare(sql)
        if (statement.reader) return statement.all(...params) as Row[]
        statement.run(...params)
        return []
      }),
    tables: async () =>
      withDatabase((database) =>
        (
          database
            .prepare(
              "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'mig_%' ORDER BY name",
            )
            .all() as { name: string }[]
        ).map((row) => row.name),
      ),
    hasHistoryTable: async () =>
      withDatabase((database) => database.prepare("SELECT 1 FROM sqlite_master WHERE name = 'mig_migrations'").get() !== undefined),
    fingerprint: async () => {
      const bytes = await readFile(filename)
      return JSON.stringify({ sha256: createHash('sha256').update(bytes).digest('hex'), files: (await readdir(folder)).sort() })
    },
    remove: () => rm(folder, { recursive: true, force: true }),
  }
}

async function createPostgresDatabase(): Promise<ExampleDatabase> {
  const database = await createTestDatabase(inject('postgresUrl'))
  const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: database.url })
    client.on('error', () => {})
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end()
    }
  }
  const query = <Row>(sql: string, params: unknown[] = []) => withClient(async (client) => (await client.query(sql, params)).rows as Row[])
  return {
    dialect: 'postgres',
    url: database.url,
    migrator: () =>
      new Migrator({ driver: postgresDriver({ connectionString: database.url }), source: fromDirectory(migrationsFolder('postgres')) }),
    applyByHand: async (file) => void (await query(readFileSync(file, 'utf8'))),
    query,
    tables: async () =>
      (
        await query<{ name: string }>(
          "SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'mig_%' ORDER BY tablename",
        )
      ).map((row) => row.name),
    hasHistoryTable: async () =>
      (await query<{ found: boolean }>("SELECT to_regclass('public.mig_migrations') IS NOT NULL AS found"))[0]?.found === true,
    fingerprint: async () => JSON.stringify(await query(POSTGRES_CATALOG)),
    remove: () => database.drop(),
  }
}

const POSTGRES_CATALOG = `
  SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
         (SELECT json_agg(json_build_array(a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                           pg_catalog.pg_get_expr(d.adbin, d.adrelid)) ORDER BY a.attnum)
            FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
         (SELECT json_agg(json_build_array(con.conname, pg_catalog.pg_get_constraintdef(con.oid)) ORDER BY con.conname)
            FROM pg_catalog.pg_constraint con WHERE con.conrelid = c.oid) AS constraints,
         CASE WHEN c.relkind = 'i' THEN pg_catalog.pg_get_indexdef(c.oid) END AS index_definition
    FROM pg_catalog.pg_namespace n LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
   ORDER BY 1, 2`

const cliBin = join(dirname(createRequire(import.meta.url).resolve('@mig/cli/package.json')), 'dist', 'bin.js')

export interface CliResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built `mig` command against a database and one dialect's migrations. */
export function mig(database: ExampleDatabase, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliBin, '--url', database.url, '--dir', migrationsFolder(database.dialect), ...args],
      { env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        resolve({ exitCode: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}
