// The llm-proxy walkthrough: adopting databases that were built by hand, on SQLite and PostgreSQL.
//
//   node scripts/walkthrough.mjs      (pnpm start)
//
// Works in a temporary folder with copies of migrations/ and schema/, runs the built `mig`
// command there as a user would, and prints what it shows. PostgreSQL: POSTGRES_URL names a
// server where the script may create and drop its own databases (default: the local server on
// 127.0.0.1:5432). Exits non-zero when anything does not behave as the README says.
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compareSchemas, formatSchemaDifferences, fromDirectory, Migrator } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'
import pg from 'pg'

const example = fileURLToPath(new URL('..', import.meta.url))
const bin = join(dirname(createRequire(import.meta.url).resolve('@mig/cli/package.json')), 'dist', 'bin.js')
const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres'
// Everything a write could change in a PostgreSQL database, from the catalogs.
const POSTGRES_CATALOG = `
  SELECT n.nspname, c.relname, c.relkind,
         (SELECT json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid))
                          ORDER BY a.attnum)
            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
         (SELECT json_agg(pg_get_constraintdef(con.oid) ORDER BY con.conname) FROM pg_constraint con WHERE con.conrelid = c.oid) AS constraints,
         CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) END AS index_definition
    FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
   ORDER BY 1, 2`

const problems = []
const expect = (condition, problem) => {
  if (!condition) {
    problems.push(problem)
    console.log(`!! ${problem}`)
  }
}

const work = await mkdtemp(join(tmpdir(), 'mig-llm-proxy-'))
const postgresDatabases = []
try {
  await cp(join(example, 'migrations'), join(work, 'migrations'), { recursive: true })
  await cp(join(example, 'schema'), join(work, 'schema'), { recursive: true })

  const sqliteFresh = await walkThrough(sqliteDialect())
  const server = await findPostgres()
  const postgresFresh = server ? await walkThrough(postgresDialect(server)) : undefined

  if (postgresFresh) {
    heading('Both dialects: the same tables, columns, keys and indexes')
    const differences = compareSchemas(await sqliteFresh.describeSchema(), await postgresFresh.describeSchema(), { level: 'structure' })
    console.log("compareSchemas(sqlite, postgres, { level: 'structure' }):")
    console.log(differences.length ? indent(formatSchemaDifferences(differences)) : '  no differences')
    expect(differences.length === 0, 'the two dialects build different structures')
  }
} finally {
  await Promise.all(postgresDatabases.map((database) => database.drop()))
  await rm(work, { recursive: true, force: true })
}

console.log(problems.length ? `\n${problems.length} problem(s): ${problems.join('; ')}` : '\nEverything behaved as described.')
process.exitCode = problems.length ? 1 : 0

/** The three scenarios on one dialect; returns a Migrator on the fresh database, for the comparison. */
async function walkThrough(dialect) {
  heading(`${dialect.title}: a fresh database`)
  const fresh = await dialect.create('fresh')
  expect((await mig(dialect, fresh, 'up')).exitCode === 0, `${dialect.title}: up failed`)
  expect((await mig(dialect, fresh, 'down', '--all')).exitCode === 0, `${dialect.title}: down --all failed`)
  const left = await fresh.tables()
  console.log(`tables left after down --all: ${left.length ? left.join(', ') : 'none'}\n`)
  expect(left.length === 0, `${dialect.title}: down --all left ${left.join(', ')}`)
  expect((await mig(dialect, fresh, 'up')).exitCode === 0, `${dialect.title}: the second up failed`)

  heading(`${dialect.title}: a database built by hand from ${dialect.schemas.current}`)
  const handBuilt = await dialect.create('hand_built')
  await handBuilt.applyByHand(dialect.schemas.current)
  await mig(dialect, handBuilt, 'status')
  expect(
    (await mig(dialect, handBuilt, 'baseline', '--to', '1')).exitCode === 0,
    `${dialect.title}: baseline of the hand-built database failed`,
  )
  expect((await mig(dialect, handBuilt, 'up')).exitCode === 0, `${dialect.title}: up after the baseline failed`)
  expect((await mig(dialect, handBuilt, 'status', '--exit-code')).exitCode === 0, `${dialect.title}: not up to date after the baseline`)

  heading(`${dialect.title}: a database built from ${dialect.schemas.november2025}`)
  const november = await dialect.create('nov_2025')
  await november.applyByHand(dialect.schemas.november2025)
  const before = await november.fingerprint()
  const refused = await mig(dialect, november, 'baseline', '--to', '1')
  const unchanged = (await november.fingerprint()) === before
  console.log(`database unchanged: ${unchanged ? 'yes' : 'NO'} (${dialect.fingerprintName} compared before and after)\n`)
  expect(refused.exitCode === 3, `${dialect.title}: baseline of the November 2025 database did not refuse`)
  expect(
    refused.stderr.includes('projects: column api_key missing, column openai_api_key extra'),
    `${dialect.title}: the refusal misses a difference`,
  )
  expect(unchanged, `${dialect.title}: the refused baseline changed the database`)

  return fresh.migrator()
}

function sqliteDialect() {
  return {
    title: 'SQLite',
    migrations: 'migrations/sqlite',
    schemas: { current: 'schema/schema.sql', november2025: 'schema/initdatabase-2025-11.sql' },
    fingerprintName: 'the file’s SHA-256 and the files beside it',
    async create(name) {
      const filename = join(work, `${name}.db`)
      const open = (use) => {
        const database = new Database(filename)
        try {
          return use(database)
        } finally {
          database.close()
        }
      }
      return {
        url: `sqlite:./${name}.db`,
        shownUrl: `sqlite:./${name}.db`,
        migrator: () =>
          new Migrator({
            driver: sqliteDriver({ filename, pragmas: { foreign_keys: 'ON' } }),
            source: fromDirectory(join(work, 'migrations/sqlite')),
          }),
        async applyByHand(file) {
          // What llm-proxy did: run the whole schema file on the database.
          console.log(`(built with better-sqlite3: new Database('${name}.db').exec(readFileSync('${file}', 'utf8')))\n`)
          open((database) => database.exec(schemaText(file)))
        },
        tables: async () =>
          open((database) =>
            database
              .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'mig_%'")
              .all()
              .map((row) => row.name),
          ),
        async fingerprint() {
          const hash = createHash('sha256')
            .update(await readFile(filename))
            .digest('hex')
          return `${hash} ${(await readdir(work)).join(',')}`
        },
      }
    },
  }
}

function postgresDialect(serverUrl) {
  const run = async (url, sql) => {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => {})
    await client.connect()
    try {
      return (await client.query(sql)).rows
    } finally {
      await client.end()
    }
  }
  const prefix = `llm_proxy_${randomBytes(3).toString('hex')}`
  return {
    title: 'PostgreSQL',
    migrations: 'migrations/postgres',
    schemas: { current: 'schema/schema.postgres.sql', november2025: 'schema/initdatabase-2025-11.postgres.sql' },
    fingerprintName: 'every schema, table, column, default, constraint and index in the catalogs',
    async create(name) {
      const database = `${prefix}_${name}`
      await run(serverUrl, `CREATE DATABASE ${database}`)
      postgresDatabases.push({ drop: () => run(serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`) })
      const url = new URL(serverUrl)
      url.pathname = `/${database}`
      const shown = new URL(url)
      if (shown.password) shown.password = '***'
      return {
        url: url.toString(),
        shownUrl: shown.toString(),
        migrator: () =>
          new Migrator({
            driver: postgresDriver({ connectionString: url.toString() }),
            source: fromDirectory(join(work, 'migrations/postgres')),
          }),
        async applyByHand(file) {
          console.log(`(built with psql: psql ${shown} -f ${file})\n`)
          await run(url.toString(), schemaText(file))
        },
        tables: async () =>
          (await run(url.toString(), "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'mig_%'")).map(
            (row) => row.tablename,
          ),
        fingerprint: async () => JSON.stringify(await run(url.toString(), POSTGRES_CATALOG)),
      }
    },
  }
}

/** The server from POSTGRES_URL, else the local one; without either, the PostgreSQL part is skipped. */
async function findPostgres() {
  const url = process.env.POSTGRES_URL ?? LOCAL_SERVER
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  client.on('error', () => {})
  try {
    await client.connect()
    return url
  } catch (error) {
    if (process.env.POSTGRES_URL) throw new Error(`Cannot connect to POSTGRES_URL: ${error.message}`)
    console.log(`\nNo PostgreSQL server on ${LOCAL_SERVER}: the PostgreSQL part is skipped. Set POSTGRES_URL to run it.`)
    return undefined
  } finally {
    await client.end().catch(() => {})
  }
}

/** Runs `mig <args> --url <database>` in the work folder, with MIG_DIR set to the dialect's migrations, and prints it all. */
function mig(dialect, database, ...args) {
  console.log(`$ MIG_DIR=${dialect.migrations} mig ${args.join(' ')} --url ${database.shownUrl}`)
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args, '--url', database.url],
      { cwd: work, env: { ...process.env, MIG_DIR: dialect.migrations, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const exitCode = error ? Number(error.code ?? 1) : 0
        process.stdout.write(stdout + stderr)
        console.log(exitCode ? `(exit code ${exitCode})\n` : '')
        resolve({ exitCode, stdout, stderr })
      },
    )
  })
}

/** A file of the work folder's copy of schema/. */
function schemaText(file) {
  return readFileSync(join(work, file), 'utf8')
}

function heading(title) {
  console.log(`\n== ${title} ==\n`)
}

function indent(text) {
  return text.replace(/^/gm, '  ')
}
