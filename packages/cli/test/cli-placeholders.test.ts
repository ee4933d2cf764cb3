// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are written ${name}, in plain strings on purpose
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Driver } from '@mig/core'
import { postgresDriver } from '@mig/postgres'
import { sqliteDriver } from '@mig/sqlite'
import { createTestDatabase } from '@mig-internal/test-postgres'
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { queryRows } from './database-state.ts'
import { jsonOf, runMig, temporaryDirectory } from './run-mig.ts'

const dialects = [
  {
    name: 'SQLite',
    async open(project: string) {
      const filename = join(project, 'app.db')
      return { env: { DATABASE_URL: 'sqlite:./app.db' }, driver: (): Driver => sqliteDriver({ filename }), close: async () => {} }
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const database = await createTestDatabase(inject('postgresUrl'))
      return {
        env: { DATABASE_URL: database.url },
        driver: (): Driver => postgresDriver({ connectionString: database.url }),
        close: () => database.drop(),
      }
    },
  },
]

afterAll(async () => {})

const SETTINGS = `-- mig:up
CREATE TABLE \${table} (name TEXT PRIMARY KEY, value TEXT DEFAULT '\${not_replaced}');
INSERT INTO \${table} (name) VALUES ('\${region}');
INSERT INTO \${table} (name) VALUES (\${region_literal});
-- mig:down
DROP TABLE \${table};
`

describe.each(dialects)('placeholders through the mig binary on $name', (dialect) => {
  let project: { path: string; remove: () => Promise<void> }
  let database: Awaited<ReturnType<(typeof dialects)[number]['open']>>
  const mig = (args: string[], env: Record<string, string> = {}) => runMig(args, { cwd: project.path, env: { ...database.env, ...env } })

  beforeEach(async () => {
    project = await temporaryDirectory('placeholders')
    database = await dialect.open(project.path)
    expect((await mig(['init'])).exitCode).toBe(0)
    const configFile = join(project.path, 'mig.config.json')
    const config = JSON.parse(await readFile(configFile, 'utf8'))
    await writeFile(configFile, JSON.stringify({ ...config, placeholders: { table: 'settings', region_literal: "'eu'" } }))
    await writeFile(join(project.path, 'migrations', '0001_settings.sql'), SETTINGS)
  })

  afterEach(async () => {
    await database.close()
    await project.remove()
  })

  it('fills ${name} from the config and MIG_PLACEHOLDER_ variables (which win), leaving strings alone', async () => {
    const planned = jsonOf(await mig(['up', '--dry-run', '--json'], { MIG_PLACEHOLDER_table: 'eu_settings' }))
    expect(planned.migrations[0].sql).toContain("CREATE TABLE eu_settings (name TEXT PRIMARY KEY, value TEXT DEFAULT '${not_replaced}');")
    const up = await mig(['up'], { MIG_PLACEHOLDER_table: 'eu_settings' })
    expect(up.exitCode).toBe(0)
    expect(await queryRows(database.driver(), 'SELECT name, value FROM eu_settings ORDER BY name')).toEqual([
      { name: '${region}', value: '${not_replaced}' },
      { name: 'eu', value: '${not_replaced}' },
    ])
    // Another value later is not an edited file: the checksum is of the text as written.
    const status = jsonOf(await mig(['status', '--json'], { MIG_PLACEHOLDER_table: 'us_settings' }))
    expect(status.migrations[0]).toMatchObject({ state: 'applied', checksumMatches: true, problem: null })
  })

  it('an unknown placeholder stops up with exit code 2 before anything runs, naming file, line and how to define it', async () => {
    await writeFile(join(project.path, 'migrations', '0002_more.sql'), '-- mig:up\nCREATE TABLE ${schema_name}.more (id INTEGER);\n')
    const run = await mig(['up', '--json'])
    expect(run.exitCode).toBe(2)
    const { error } = jsonOf(run)
    expect(error).toMatchObject({ code: 'MIG_UNKNOWN_PLACEHOLDER', file: '0002_more.sql', line: 2, placeholder: 'schema_name' })
    expect(error.message).toContain('"placeholders": { "schema_name": "…" }')
    expect(error.message).toContain('MIG_PLACEHOLDER_schema_name')
    const history = await queryRows(
      database.driver(),
      "SELECT 1 AS found FROM information_schema.tables WHERE table_name = 'mig_migrations'",
    ).catch(
      // SQLite has no information_schema: ask its catalog.
      () => queryRows(database.driver(), "SELECT 1 AS found FROM sqlite_master WHERE name = 'mig_migrations'"),
    )
    expect(history).toEqual([])
  })

  it('a MIG_PLACEHOLDER_ variable whose name cannot be a placeholder is a configuration error naming the variable', async () => {
    const run = await mig(['up', '--json'], { 'MIG_PLACEHOLDER_eu-table': 'eu_settings' })
    expect(run.exitCode).toBe(2)
    const { error } = jsonOf(run)
    expect(error.code).toBe('MIG_CONFIG')
    expect(error.message).toContain('The environment variable MIG_PLACEHOLDER_eu-table names the placeholder "eu-table"')
    expect(error.message).toContain('Rename or unset the variable.')
  })

  it('a placeholder name in the config file that cannot be one is a configuration error naming the file', async () => {
    const configFile = join(project.path, 'mig.config.json')
    const config = JSON.parse(await readFile(configFile, 'utf8'))
    await writeFile(configFile, JSON.stringify({ ...config, placeholders: { table: 'settings', 'eu-table': 'eu_settings' } }))
    const run = await mig(['up', '--json'])
    expect(run.exitCode).toBe(2)
    const { error } = jsonOf(run)
    expect(error.code).toBe('MIG_CONFIG')
    expect(error.message).toContain('mig.config.json: the placeholder name "eu-table" must be letters, digits and "_"')
  })

  it('mig lint reads the files with their placeholders filled, as up runs them, and stops at an unknown one', async () => {
    for (const args of [
      ['lint', '--json'],
      ['lint', '--all', '--json'],
    ]) {
      const linted = await mig(args)
      expect(linted.exitCode, args.join(' ')).toBe(0)
      expect(jsonOf(linted), args.join(' ')).toMatchObject({ ok: true, findings: [], linted: 1 })
    }
    await writeFile(join(project.path, 'migrations', '0002_more.sql'), '-- mig:up\nCREATE TABLE ${schema_name}.more (id INTEGER);\n')
    const unknown = await mig(['lint', '--all', '--json'])
    expect(unknown.exitCode).toBe(2)
    expect(jsonOf(unknown).error).toMatchObject({ code: 'MIG_UNKNOWN_PLACEHOLDER', file: '0002_more.sql', line: 2 })
  })

  it('a repeatable migration is linted with its placeholders filled, so up applies it', async () => {
    await mkdir(join(project.path, 'migrations', 'repeatable'))
    await writeFile(
      join(project.path, 'migrations', 'repeatable', 'setting_names.sql'),
      'DROP VIEW IF EXISTS ${table}_names;\nCREATE VIEW ${table}_names AS SELECT name FROM ${table};\n',
    )
    const up = await mig(['up'])
    expect(up.stderr).not.toContain('syntax-error')
    expect(up.exitCode).toBe(0)
    expect(await queryRows(database.driver(), 'SELECT name FROM settings_names ORDER BY name')).toEqual([
      { name: '${region}' },
      { name: 'eu' },
    ])
  })
})
