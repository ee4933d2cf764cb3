import type { Driver, DriverConnection, SqlStatement } from './driver.js'
import { InvalidOptionsError } from './errors.js'
import { DEFAULT_HISTORY_TABLE, quoteIdentifier } from './history-table.js'
import { type SchemaSnapshot, sortSnapshot, type TableSnapshot } from './schema-snapshot.js'

/** A schema file turned into migrations: see {@link convertSchema}. */
export interface SchemaConversion {
  /** The schema without its settings, for a migration that runs in a transaction. */
  readonly up: string
  /** Drops every object the schema builds, dependents first. */
  readonly down: string
  /**
   * Settings stored in the database that cannot take effect inside a transaction (SQLite's
   * `journal_mode`), for a `-- mig:no-transaction` migration; undefined when there are none.
   */
  readonly lastingSettings: { readonly up: string; readonly down: string } | undefined
  /** Per-connection settings, each with where it belongs instead (the driver's options). */
  readonly connectionSettings: readonly { readonly statement: string; readonly advice: string }[]
  /** What the conversion changed in the schema's own statements, for the user to read. */
  readonly notes: readonly string[]
}

const IF_NOT_EXISTS = /^(CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER|SEQUENCE)\s+)IF\s+NOT\s+EXISTS\s+/i

/**
 * Turns a hand-applied schema file into a first migration. The schema is built on a scratch
 * database of the driver's dialect, so the down section is derived from what the schema really
 * creates, and it is proven there: after the down nothing is left. `IF NOT EXISTS` is removed,
 * because in a migration it would silently accept an existing table of another shape; existing
 * databases are adopted with a verified baseline instead.
 */
export async function convertSchema(driver: Driver, schema: string): Promise<SchemaConversion> {
  if (!driver.createScratchDatabase || !driver.capabilities.schemaSnapshots) {
    throw new InvalidOptionsError(`The ${driver.dialect} driver cannot build a scratch database, so it cannot convert a schema.`)
  }
  const scratch = await driver.createScratchDatabase()
  try {
    const connection = await scratch.driver.connect()
    try {
      return await convertOn(connection, schema, driver.dialect)
    } finally {
      await connection.close()
    }
  } finally {
    await scratch.destroy()
  }
}

async function convertOn(connection: DriverConnection, schema: string, dialect: string): Promise<SchemaConversion> {
  if (!connection.describeSchema) throw new InvalidOptionsError(`The ${dialect} driver cannot describe schemas.`)
  const statements = connection.splitStatements(schema)
  const removed: SqlStatement[] = []
  const lasting: { statement: string; undo: string }[] = []
  const connectionSettings: { statement: string; advice: string }[] = []
  const notes: string[] = []
  const rewritten = new Map<SqlStatement, string>()
  for (const statement of statements) {
    const role = connection.classifyStatement?.(statement.text) ?? { kind: 'schema' }
    if (role.kind === 'schema') {
      const withoutGuard = statement.text.replace(IF_NOT_EXISTS, '$1')
      if (withoutGuard !== statement.text) rewritten.set(statement, withoutGuard)
      continue
    }
    removed.push(statement)
    if (role.kind === 'lasting-setting') lasting.push({ statement: statement.text, undo: role.undo })
    else connectionSettings.push({ statement: statement.text, advice: role.advice })
  }
  if (rewritten.size) {
    notes.push(
      `Removed IF NOT EXISTS from ${rewritten.size} statement(s): in a migration it would hide an existing object of another shape. Adopt existing databases with mig baseline, which compares schemas.`,
    )
  }
  const up = editStatements(schema, removed, rewritten)

  const kept = statements.filter((statement) => !removed.includes(statement))
  await buildSchema(connection, kept, rewritten, schema)
  const built = sortSnapshot(await connection.describeSchema({ historyTable: { name: DEFAULT_HISTORY_TABLE } }))
  const down = dropStatements(built, statements).join('\n')
  await inTransaction(connection, down, 'The derived down section fails')
  const left = await connection.describeSchema({ historyTable: { name: DEFAULT_HISTORY_TABLE } })
  const remaining = objectNames(left)
  if (remaining.length) {
    throw new InvalidOptionsError(`The derived down section leaves ${remaining.join(', ')} behind; write the down section by hand.`)
  }
  return {
    up,
    down,
    lastingSettings: lasting.length
      ? { up: lasting.map((setting) => setting.statement).join('\n'), down: lasting.map((setting) => setting.undo).join('\n') }
      : undefined,
    connectionSettings,
    notes,
  }
}

/** The schema text with some statements cut out (and the comment lines right above them) and some rewritten. */
function editStatements(schema: string, removed: readonly SqlStatement[], rewritten: ReadonlyMap<SqlStatement, string>): string {
  const edits = [
    ...removed.map((statement) => ({ statement, replacement: '' })),
    ...[...rewritten].map(([statement, replacement]) => ({ statement, replacement })),
  ].sort((a, b) => b.statement.offset - a.statement.offset)
  let text = schema
  for (const { statement, replacement } of edits) {
    let start = statement.offset
    let end = statement.offset + statement.text.length
    if (!replacement) {
      const before = text.slice(0, start)
      const commentAbove = /(?:^|\n)((?:[ \t]*--[^\n]*\n)*)[ \t]*$/.exec(before)
      start -= commentAbove?.[1]?.length ?? 0
      start -= /[ \t]*$/.exec(text.slice(0, start))?.[0].length ?? 0
      if (text[end] === '\n') end++
    }
    text = text.slice(0, start) + replacement + text.slice(end)
  }
  return `${text.replace(/\n{3,}/g, '\n\n').trim()}\n`
}

/** Views first (newest first), then tables so that a table goes before the tables it references, then types. */
function dropStatements(snapshot: SchemaSnapshot, statements: readonly SqlStatement[]): string[] {
  const created = (name: string) =>
    statements.findIndex((statement) =>
      new RegExp(`\\bVIEW\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?["\`\\[]?${escapeRegExp(name)}\\b`, 'i').test(statement.text),
    )
  const views = [...snapshot.views].sort((a, b) => created(b.name) - created(a.name))
  return [
    ...views.map((view) => `DROP ${view.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${identifier(view.name)};`),
    ...tablesInDropOrder(snapshot.tables).map((table) => `DROP TABLE ${identifier(table)};`),
    ...snapshot.functions.map((routine) => {
      const open = routine.name.indexOf('(')
      return `DROP ROUTINE ${identifier(routine.name.slice(0, open))}${routine.name.slice(open)};`
    }),
    ...snapshot.domains.map((domain) => `DROP DOMAIN ${identifier(domain.name)};`),
    ...snapshot.enums.map((type) => `DROP TYPE ${identifier(type.name)};`),
    ...snapshot.sequences.map((sequence) => `DROP SEQUENCE ${identifier(sequence)};`),
  ]
}

function tablesInDropOrder(tables: readonly TableSnapshot[]): string[] {
  const referencedBy = new Map<string, Set<string>>(tables.map((table) => [table.name, new Set()]))
  for (const table of tables) {
    for (const key of table.foreignKeys) {
      if (key.referencedTable !== table.name) referencedBy.get(key.referencedTable)?.add(table.name)
    }
  }
  const order: string[] = []
  const pending = new Set(tables.map((table) => table.name))
  while (pending.size) {
    // A table can go once nothing still standing references it; in a cycle, the first one goes.
    const free = [...pending].filter((name) => [...(referencedBy.get(name) ?? [])].every((other) => !pending.has(other)))
    for (const name of free.length ? free : [[...pending][0] as string]) {
      order.push(name)
      pending.delete(name)
    }
  }
  return order
}

/** Builds the schema statement by statement, so that a failure names its line in the file. */
async function buildSchema(
  connection: DriverConnection,
  statements: readonly SqlStatement[],
  rewritten: ReadonlyMap<SqlStatement, string>,
  schema: string,
): Promise<void> {
  await connection.begin()
  for (const statement of statements) {
    try {
      await connection.runScript(rewritten.get(statement) ?? statement.text)
    } catch (error) {
      await connection.rollback()
      const line = schema.slice(0, statement.offset).split('\n').length
      throw new InvalidOptionsError(`The schema does not build on an empty database, at line ${line}: ${(error as Error).message}`)
    }
  }
  await connection.commit()
}

async function inTransaction(connection: DriverConnection, sql: string, failure: string): Promise<void> {
  await connection.begin()
  try {
    await connection.runScript(sql)
    await connection.commit()
  } catch (error) {
    await connection.rollback()
    throw new InvalidOptionsError(`${failure}: ${(error as Error).message}`)
  }
}

function objectNames(snapshot: SchemaSnapshot): string[] {
  return [
    ...snapshot.tables.map((table) => table.name),
    ...snapshot.views.map((view) => view.name),
    ...snapshot.functions.map((routine) => routine.name),
    ...snapshot.enums.map((type) => type.name),
    ...snapshot.domains.map((domain) => domain.name),
    ...snapshot.sequences,
  ]
}

// Always quoted: a table may well be called "order" or "user".
const identifier = quoteIdentifier

function escapeRegExp(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
