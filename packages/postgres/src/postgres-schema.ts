import {
  type ColumnSnapshot,
  type ConstraintTiming,
  type DeferrableKey,
  type ForeignKeySnapshot,
  repeatableTableOf,
  type SchemaSnapshot,
  type TableSnapshot,
} from '@mig/core'
import type { PostgresClient } from './postgres-client.js'
import { leaseTableOf } from './postgres-lease-lock.js'
import { type CatalogRows, inSchema, NOT_FROM_EXTENSION, namedDefinition, optional, withoutSchema } from './postgres-schema-catalog.js'
import { describePostgresRoutines } from './postgres-schema-routines.js'
import { describePostgresTypes } from './postgres-schema-types.js'

const REFERENTIAL_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' }
const IDENTITY: Record<string, ColumnSnapshot['identity']> = { a: 'ALWAYS', d: 'BY DEFAULT' }

/**
 * The schema `schema` holds, from the catalogs, leaving out the history table and its lock table. Definitions come
 * from the server's own deparsing (`pg_get_viewdef`, `pg_get_constraintdef`, ...), with the
 * schema first on the search path so that its own objects are named without it: two databases
 * built by different SQL, or in schemas of different names, compare equal when the server sees
 * the same objects.
 */
export async function describePostgresSchema(client: PostgresClient, schema: string, historyTable: string): Promise<SchemaSnapshot> {
  const [saved] = (await client.query("SELECT pg_catalog.current_setting('search_path') AS path")).rows as { path: string }[]
  await client.query("SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident($1), false)", [schema])
  try {
    return await describe(client, schema, historyTable)
  } finally {
    await client.query("SELECT pg_catalog.set_config('search_path', $1, false)", [saved?.path ?? ''])
  }
}

async function describe(client: PostgresClient, schema: string, historyTable: string): Promise<SchemaSnapshot> {
  const rows: CatalogRows = async <Row>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as Row[]
  // $1 is the schema; $2, where a query has it, mig's own tables to leave out: history, lock and repeatables.
  const schemaOnly = [schema]
  const schemaAndHistoryTable = [
    schema,
    [historyTable, leaseTableOf(schema, historyTable).name, repeatableTableOf({ name: historyTable }).name],
  ]
  const tableOids = `(SELECT c.oid FROM pg_catalog.pg_class c
    WHERE ${inSchema('c.relnamespace')} AND c.relkind IN ('r', 'p') AND c.relname <> ALL ($2::text[]) AND ${NOT_FROM_EXTENSION('c.oid')})`

  const tables = await rows<{
    oid: string
    name: string
    partition_by: string | null
    parent: string | null
    bound: string | null
    row_security: boolean
    forced: boolean
    comment: string | null
  }>(
    `SELECT c.oid::text AS oid, c.relname AS name,
            CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_by,
            (SELECT p.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
              WHERE c.relispartition AND i.inhrelid = c.oid) AS parent,
            CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound,
            c.relrowsecurity AS row_security, c.relforcerowsecurity AS forced,
            pg_catalog.obj_description(c.oid, 'pg_class') AS comment
       FROM pg_catalog.pg_class c WHERE c.oid IN ${tableOids}`,
    schemaAndHistoryTable,
  )
  const columns = await rows<ColumnRow & { table_oid: string; position: number }>(
    `SELECT a.attrelid::text AS table_oid, a.attnum AS position, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            NOT a.attnotnull AS nullable, a.attidentity AS identity, a.attgenerated AS generated,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expression,
            CASE WHEN a.attcollation <> t.typcollation THEN pg_catalog.quote_ident(co.collname) END AS collation,
            pg_catalog.col_description(a.attrelid, a.attnum) AS comment
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid IN ${tableOids} AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    schemaAndHistoryTable,
  )
  const ownedSequences = await rows<{ table_oid: string; column: string; name: string }>(
    `SELECT dep.refobjid::text AS table_oid, a.attname AS column, s.relname AS name
       FROM pg_catalog.pg_depend dep
       JOIN pg_catalog.pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
       JOIN pg_catalog.pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
      WHERE dep.classid = 'pg_catalog.pg_class'::regclass AND dep.refclassid = 'pg_catalog.pg_class'::regclass
        AND dep.deptype = 'a' AND dep.refobjid IN ${tableOids}`,
    schemaAndHistoryTable,
  )
  const constraints = await rows<{
    table_oid: string
    name: string
    type: string
    keys: number[] | null
    referenced_oid: string
    referenced_table: string | null
    referenced_keys: number[] | null
    on_delete: string
    on_update: string
    validated: boolean
    timing: ConstraintTiming | null
    definition: string
  }>(
    `SELECT con.conrelid::text AS table_oid, con.conname AS name, con.contype AS type, con.conkey::int[] AS keys,
            con.confrelid::text AS referenced_oid, referenced.relname AS referenced_table, con.confkey::int[] AS referenced_keys,
            con.confdeltype AS on_delete, con.confupdtype AS on_update, con.convalidated AS validated,
            CASE WHEN con.condeferred THEN 'DEFERRABLE INITIALLY DEFERRED' WHEN con.condeferrable THEN 'DEFERRABLE' END AS timing,
            pg_catalog.pg_get_constraintdef(con.oid, true) AS definition
       FROM pg_catalog.pg_constraint con
       LEFT JOIN pg_catalog.pg_class referenced ON referenced.oid = con.confrelid
      -- A partition's copy of its parent's constraint belongs to the parent.
      WHERE con.conrelid IN ${tableOids} AND con.contype IN ('p', 'u', 'c', 'f', 'x') AND con.conislocal AND con.conparentid = 0`,
    schemaAndHistoryTable,
  )
  const indexes = await rows<{
    table_oid: string
    name: string
    unique: boolean
    predicate: string | null
    keys: number[]
    expressions: string[] | null
    definition: string
  }>(
    `SELECT i.indrelid::text AS table_oid, c.relname AS name, i.indisunique AS unique,
            pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
            (i.indkey::int2[])[0:i.indnkeyatts - 1]::int[] AS keys,
            CASE WHEN 0 = ANY (i.indkey::int2[]) THEN ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.n, true)
                                                               FROM generate_series(1, i.indnkeyatts) k(n) ORDER BY k.n) END AS expressions,
            pg_catalog.pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid IN ${tableOids}
        AND i.indexrelid NOT IN (SELECT con.conindid FROM pg_catalog.pg_constraint con WHERE con.contype IN ('p', 'u', 'x'))
        -- A partition's index that is part of its parent's index belongs to the parent.
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid)`,
    schemaAndHistoryTable,
  )
  const policies = await rows<{ table_oid: string; name: string; definition: string }>(
    `SELECT pol.polrelid::text AS table_oid, pol.polname AS name,
            'AS ' || CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END
              || ' FOR ' || CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END
              || ' TO ' || CASE WHEN pol.polroles = '{0}' THEN 'PUBLIC'
                                ELSE (SELECT string_agg(pg_catalog.quote_ident(r.rolname), ', ' ORDER BY r.rolname)
                                        FROM pg_catalog.pg_roles r WHERE r.oid = ANY (pol.polroles)) END
              || coalesce(' USING (' || pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) || ')', '')
              || coalesce(' WITH CHECK (' || pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) || ')', '') AS definition
       FROM pg_catalog.pg_policy pol WHERE pol.polrelid IN ${tableOids}`,
    schemaAndHistoryTable,
  )
  const views = await rows<{ oid: string; name: string; definition: string; materialized: boolean; comment: string | null }>(
    `SELECT c.oid::text AS oid, c.relname AS name, pg_catalog.pg_get_viewdef(c.oid, true) AS definition, c.relkind = 'm' AS materialized,
            pg_catalog.obj_description(c.oid, 'pg_class') AS comment
       FROM pg_catalog.pg_class c
      WHERE ${inSchema('c.relnamespace')} AND c.relkind IN ('v', 'm') AND ${NOT_FROM_EXTENSION('c.oid')}`,
    schemaOnly,
  )
  const viewIndexes = await rows<{ table_oid: string; name: string; definition: string }>(
    `SELECT i.indrelid::text AS table_oid, c.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_class v ON v.oid = i.indrelid
      WHERE ${inSchema('v.relnamespace')} AND v.relkind = 'm' AND ${NOT_FROM_EXTENSION('v.oid')}`,
    schemaOnly,
  )
  const triggers = await rows<{ name: string; table: string; definition: string }>(
    `SELECT t.tgname AS name, c.relname AS table, pg_catalog.pg_get_triggerdef(t.oid, true) AS definition
       FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
      -- A partition's clone of its parent's trigger belongs to the parent.
      WHERE ${inSchema('c.relnamespace')} AND NOT t.tgisinternal AND t.tgparentid = 0 AND c.relname <> ALL ($2::text[]) AND ${NOT_FROM_EXTENSION('c.oid')}`,
    schemaAndHistoryTable,
  )
  const sequences = await rows<{
    name: string
    standalone: boolean
    type: string
    start: string
    increment: string
    min: string
    max: string
    cache: string
    cycle: boolean
  }>(
    `SELECT c.relname AS name,
            NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                         WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a') AS standalone,
            pg_catalog.format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS increment,
            s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
      WHERE ${inSchema('c.relnamespace')} AND c.relkind = 'S' AND ${NOT_FROM_EXTENSION('c.oid')}
        -- An identity column's sequence is part of that column.
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                         WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')`,
    schemaOnly,
  )
  const { enums, domains, types } = await describePostgresTypes(rows, schema)
  const functions = await describePostgresRoutines(rows, schema)
  const extensions = await rows<{ name: string }>(
    `SELECT e.extname AS name FROM pg_catalog.pg_extension e WHERE ${inSchema('e.extnamespace')}`,
    schemaOnly,
  )

  const names = new Map<string, string>(columns.map((column) => [`${column.table_oid}:${column.position}`, column.name]))
  const missing = [
    ...new Set(
      constraints
        .filter((con) => con.type === 'f' && !names.has(`${con.referenced_oid}:${con.referenced_keys?.[0]}`))
        .map((con) => con.referenced_oid),
    ),
  ]
  if (missing.length) {
    // A foreign key to a table in another schema.
    const others = await rows<{ table_oid: string; position: number; name: string }>(
      'SELECT attrelid::text AS table_oid, attnum AS position, attname AS name FROM pg_catalog.pg_attribute WHERE attrelid = ANY ($1::oid[]) AND attnum > 0',
      [missing],
    )
    for (const column of others) names.set(`${column.table_oid}:${column.position}`, column.name)
  }
  const named = (table: string, keys: readonly number[] | null) => (keys ?? []).map((key) => names.get(`${table}:${key}`) ?? '')
  const columnsByTable = byTable(columns)
  const sequencesByTable = byTable(ownedSequences)
  const constraintsByTable = byTable(constraints)
  const indexesByTable = byTable(indexes)
  const policiesByTable = byTable(policies)
  const indexesByView = byTable(viewIndexes.map((index) => ({ ...index, definition: withoutSchema(index.definition, / ON (ONLY )?/) })))
  return {
    tables: tables.map((table): TableSnapshot => {
      const own = <Row>(items: ReadonlyMap<string, Row[]>) => items.get(table.oid) ?? []
      const constraintsOf = (type: string) =>
        own(constraintsByTable)
          .filter((constraint) => constraint.type === type)
          .map((constraint) => ({
            ...constraint,
            columns: named(table.oid, constraint.keys),
            referenced_columns: named(constraint.referenced_oid, constraint.referenced_keys),
          }))
      const sequenceOf = (column: string) => own(sequencesByTable).find((sequence) => sequence.column === column)?.name
      return {
        name: table.name,
        columns: own(columnsByTable).map((column) => columnSnapshot(column, sequenceOf(column.name))),
        primaryKey: constraintsOf('p')[0]?.columns ?? [],
        uniques: constraintsOf('u').map((constraint) => constraint.columns),
        checks: constraintsOf('c').map((constraint) => ({
          column: constraint.columns.length === 1 ? constraint.columns[0] : undefined,
          // The expression alone, as SQLite reports it: pg_get_constraintdef wraps it in CHECK (…).
          expression: constraint.definition.replace(/^CHECK \(([\s\S]*)\)( NOT VALID)?$/, '$1'),
          ...enforcement(constraint),
        })),
        foreignKeys: constraintsOf('f').map(
          (constraint): ForeignKeySnapshot => ({
            columns: constraint.columns,
            referencedTable: constraint.referenced_table ?? '',
            referencedColumns: constraint.referenced_columns,
            onDelete: REFERENTIAL_ACTIONS[constraint.on_delete] ?? constraint.on_delete,
            onUpdate: REFERENTIAL_ACTIONS[constraint.on_update] ?? constraint.on_update,
            ...enforcement(constraint),
          }),
        ),
        indexes: own(indexesByTable).map((index) => ({
          name: index.name,
          // A plain column by its name (pg_get_indexdef would quote keywords such as "timestamp"), an expression by its text.
          columns: index.keys.map((key, position) =>
            key === 0 ? (index.expressions?.[position] ?? '') : (names.get(`${table.oid}:${key}`) ?? ''),
          ),
          unique: index.unique,
          predicate: index.predicate ?? undefined,
          definition: withoutSchema(index.definition, / ON (ONLY )?/),
        })),
        ...optional('partitionBy', table.partition_by),
        ...(table.parent && table.bound ? { partitionOf: { parent: table.parent, bound: table.bound } } : {}),
        ...(table.row_security ? { rowLevelSecurity: table.forced ? 'forced' : 'enabled' } : {}),
        ...(own(policiesByTable).length ? { policies: own(policiesByTable).map(({ name, definition }) => ({ name, definition })) } : {}),
        ...optional('comment', table.comment),
        ...optional('exclusions', nonEmpty(constraintsOf('x').map(namedDefinition))),
        ...optional('deferrableKeys', nonEmpty(deferrableKeys(constraintsOf('p'), constraintsOf('u')))),
        constraints: own(constraintsByTable).map(({ name, definition }) => ({ name, definition })),
      }
    }),
    views: views.map((view) => ({
      name: view.name,
      definition: view.definition,
      materialized: view.materialized,
      ...optional('comment', view.comment),
      ...optional('indexes', indexesByView.get(view.oid)?.map(namedDefinition)),
    })),
    triggers,
    sequences: sequences.filter((sequence) => sequence.standalone).map((sequence) => sequence.name),
    enums,
    domains,
    functions,
    sequenceDefinitions: sequences.map((sequence) => ({
      name: sequence.name,
      definition:
        `AS ${sequence.type} INCREMENT BY ${sequence.increment} MINVALUE ${sequence.min} MAXVALUE ${sequence.max} ` +
        `START WITH ${sequence.start} CACHE ${sequence.cache}${sequence.cycle ? ' CYCLE' : ' NO CYCLE'}`,
      parts: {
        type: sequence.type,
        increment: sequence.increment,
        minimum: sequence.min,
        maximum: sequence.max,
        start: sequence.start,
        cache: sequence.cache,
        cycle: sequence.cycle ? 'on' : 'off',
      },
    })),
    types,
    extensions: extensions.map((extension) => extension.name),
  }
}

/** Only what differs from a constraint checked at once on every row, so that a plain one is described as it always was. */
function enforcement(constraint: { validated: boolean; timing: ConstraintTiming | null }): Pick<ForeignKeySnapshot, 'validity' | 'timing'> {
  return { ...(constraint.validated ? {} : { validity: 'NOT VALID' }), ...optional('timing', constraint.timing) }
}

function deferrableKeys(
  primaryKeys: readonly { columns: string[]; timing: ConstraintTiming | null }[],
  uniques: readonly { columns: string[]; timing: ConstraintTiming | null }[],
): DeferrableKey[] {
  const deferrable = (kind: DeferrableKey['kind']) => (key: { columns: string[]; timing: ConstraintTiming | null }) =>
    key.timing ? [{ kind, columns: key.columns, timing: key.timing }] : []
  return [...primaryKeys.flatMap(deferrable('primary key')), ...uniques.flatMap(deferrable('unique'))]
}

function nonEmpty<T>(items: readonly T[]): readonly T[] | undefined {
  return items.length ? items : undefined
}

function byTable<Row extends { table_oid: string }>(rows: readonly Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>()
  for (const row of rows) {
    const group = groups.get(row.table_oid)
    if (group) group.push(row)
    else groups.set(row.table_oid, [row])
  }
  return groups
}

interface ColumnRow {
  name: string
  type: string
  nullable: boolean
  identity: string
  generated: string
  expression: string | null
  collation: string | null
  comment: string | null
}

function columnSnapshot(column: ColumnRow, sequence: string | undefined): ColumnSnapshot {
  const generated = column.generated === 's' && column.expression !== null
  return {
    name: column.name,
    type: column.type,
    nullable: column.nullable,
    default: generated || column.expression === null ? undefined : column.expression,
    ...optional('identity', IDENTITY[column.identity]),
    ...(generated ? { generated: { expression: column.expression as string, stored: true } } : {}),
    ...optional('collation', column.collation),
    ...optional('sequence', sequence),
    ...optional('comment', column.comment),
  }
}
