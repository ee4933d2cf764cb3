import type { Driver, DriverSession, SqlStatement } from './driver.js'
import { messageOf, SchemaConversionError } from './errors.js'
import { DEFAULT_HISTORY_TABLE } from './history-table.js'
import { onScratchDatabase, schemaPartOf } from './schema-access.js'
import { dropOrder } from './schema-drop-order.js'
import { type SchemaSnapshot, sortSnapshot } from './schema-snapshot.js'

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
  /** Statements that belong in no migration (psql commands, ownership), each with why. */
  readonly leftOut: readonly { readonly statement: string; readonly reason: string }[]
  /** What the conversion changed in the schema's own statements, for the user to read. */
  readonly notes: readonly string[]
}

const BY_HAND =
  'No migration was written: make one with mig create <name>, paste the schema into its up section, write its down section by hand starting from the derived one, which follows, and prove it with mig test.'

const IF_NOT_EXISTS = /^(CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER|SEQUENCE)\s+)IF\s+NOT\s+EXISTS\s+/i

/**
 * Turns a hand-applied schema file into a first migration. The schema is built on a scratch
 * database of the driver's dialect, so the down section is derived from what the schema really
 * creates, and it is proven there: after the down nothing is left. `IF NOT EXISTS` is removed,
 * because in a migration it would silently accept an existing table of another shape; existing
 * databases are adopted with a verified baseline instead.
 */
export async function convertSchema(driver: Driver, schema: string): Promise<SchemaConversion> {
  refuseClientOnly(driver, schema)
  return onScratchDatabase(driver, 'convert a schema', async (scratch) => {
    const session = await scratch.connect()
    try {
      return await convertOn(scratch, session, schema)
    } finally {
      await session.close()
    }
  })
}

/** A statement only a client can run, unless the dialect leaves it out (pg_dump's `\restrict`). */
function refuseClientOnly(driver: Driver, schema: string): void {
  for (const statement of driver.text.splitStatements(schema)) {
    const clientOnly =
      driver.text.classifyStatement(statement.text).kind === 'left-out' ? undefined : driver.text.clientOnly(statement.text)
    if (clientOnly) {
      throw new SchemaConversionError(
        `The schema file holds ${clientOnly.command} at line ${lineOf(schema, statement)}, which cannot run in a migration: ${clientOnly.fix} No migration was written.`,
      )
    }
  }
}

async function convertOn(driver: Driver, session: DriverSession, schema: string): Promise<SchemaConversion> {
  const part = schemaPartOf(driver, 'convert a schema')
  const describe = async () => sortSnapshot(await part.describe(session, { name: DEFAULT_HISTORY_TABLE }))
  const statements = driver.text.splitStatements(schema)
  const removed: SqlStatement[] = []
  const lasting: { statement: string; undo: string }[] = []
  const connectionSettings: { statement: string; advice: string }[] = []
  const leftOut: { statement: string; reason: string }[] = []
  const notes: string[] = []
  const rewritten = new Map<SqlStatement, string>()
  let unguarded = 0
  for (const statement of statements) {
    const role = driver.text.classifyStatement(statement.text)
    if (role.kind === 'schema') {
      const withoutGuard = statement.text.replace(IF_NOT_EXISTS, '$1')
      if (withoutGuard !== statement.text) {
        rewritten.set(statement, withoutGuard)
        unguarded++
      }
      if (role.rewrite) {
        rewritten.set(statement, role.rewrite.text)
        const note = `Wrote ${JSON.stringify(statement.text)} as ${JSON.stringify(role.rewrite.text)}: ${role.rewrite.note}`
        if (!notes.includes(note)) notes.push(note)
      }
      continue
    }
    removed.push(statement)
    if (role.kind === 'lasting-setting') lasting.push({ statement: statement.text, undo: role.undo })
    else if (role.kind === 'left-out') leftOut.push({ statement: statement.text, reason: role.reason })
    else connectionSettings.push({ statement: statement.text, advice: role.advice })
  }
  if (unguarded) {
    notes.push(
      `Removed IF NOT EXISTS from ${unguarded} statement(s): in a migration it would hide an existing object of another shape. Adopt existing databases with mig baseline, which compares schemas.`,
    )
  }
  const up = editStatements(schema, removed, rewritten)

  const kept = statements.filter((statement) => !removed.includes(statement))
  await buildSchema(session, kept, rewritten, schema)
  const down = dropOrder(await describe(), statements, driver.text.quoteIdentifier)
    .map((object) => part.renderDrop(object))
    .join('\n')
  try {
    await inTransaction(session, down, 'The derived down section fails')
    const remaining = objectNames(await describe())
    if (remaining.length) throw new SchemaConversionError(`The derived down section leaves ${remaining.join(', ')} behind.`)
    // A snapshot does not see everything a schema may create (another schema, a collation): the
    // down is proven only when the schema builds again after it.
    await buildSchema(session, kept, rewritten, schema, 'again')
  } catch (error) {
    throw new SchemaConversionError(`${messageOf(error)}\n${BY_HAND}\n${down}`, { cause: error })
  }
  return {
    up,
    down,
    lastingSettings: lasting.length
      ? { up: lasting.map((setting) => setting.statement).join('\n'), down: lasting.map((setting) => setting.undo).join('\n') }
      : undefined,
    connectionSettings,
    leftOut,
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

/** Builds the schema statement by statement, so that a failure names its line in the file. */
async function buildSchema(
  session: DriverSession,
  statements: readonly SqlStatement[],
  rewritten: ReadonlyMap<SqlStatement, string>,
  schema: string,
  build: 'first' | 'again' = 'first',
): Promise<void> {
  await session.begin()
  for (const statement of statements) {
    try {
      await session.runScript(rewritten.get(statement) ?? statement.text)
    } catch (error) {
      await session.rollback()
      const line = lineOf(schema, statement)
      const message =
        build === 'first'
          ? `The schema does not build on an empty database, at line ${line}: ${messageOf(error)}`
          : `The derived down section leaves behind something the schema creates at line ${line}, which schema snapshots do not see (an object in another schema, a collation, …): building the schema again after the down fails with ${messageOf(error)}`
      throw new SchemaConversionError(message, { cause: error })
    }
  }
  if (build === 'first') await session.commit()
  else await session.rollback()
}

function lineOf(schema: string, statement: SqlStatement): number {
  return schema.slice(0, statement.offset).split('\n').length
}

async function inTransaction(session: DriverSession, sql: string, failure: string): Promise<void> {
  await session.begin()
  try {
    await session.runScript(sql)
    await session.commit()
  } catch (error) {
    await session.rollback()
    throw new SchemaConversionError(`${failure}: ${messageOf(error)}`, { cause: error })
  }
}

function objectNames(snapshot: SchemaSnapshot): string[] {
  return [
    ...snapshot.tables.map((table) => table.name),
    ...(snapshot.virtualTables ?? []).map((table) => table.name),
    ...snapshot.views.map((view) => view.name),
    ...snapshot.functions.map((routine) => routine.name),
    ...(snapshot.types ?? []).map((type) => type.name),
    ...snapshot.enums.map((type) => type.name),
    ...snapshot.domains.map((domain) => domain.name),
    ...snapshot.sequences,
    ...(snapshot.extensions ?? []).map((name) => `extension ${name}`),
  ]
}
