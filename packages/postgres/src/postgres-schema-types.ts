import type { EnumSnapshot, NamedDefinition, TypeSnapshot } from '@mig/core'
import { type CatalogRows, inSchema, NOT_FROM_EXTENSION, namedDefinition, partsOf } from './postgres-schema-catalog.js'

/**
 * The schema's own types: enums with their labels in order, domains (their base type and
 * constraints as the definition, and as parts), composite and range types.
 */
export async function describePostgresTypes(
  rows: CatalogRows,
  schema: string,
): Promise<{ enums: EnumSnapshot[]; domains: NamedDefinition[]; types: TypeSnapshot[] }> {
  const schemaOnly = [schema]
  const enums = await rows<{ name: string; values: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
      WHERE ${inSchema('t.typnamespace')} AND ${NOT_FROM_EXTENSION('t.oid')}
      GROUP BY t.typname`,
    schemaOnly,
  )
  const domains = await rows<{
    name: string
    type: string
    not_null: boolean
    default: string | null
    constraints: string | null
    comment: string | null
  }>(
    `SELECT t.typname AS name, pg_catalog.format_type(t.typbasetype, t.typtypmod) AS type, t.typnotnull AS not_null,
            t.typdefault AS default,
            (SELECT string_agg(pg_catalog.pg_get_constraintdef(con.oid, true), ' ' ORDER BY con.conname)
               -- From PostgreSQL 17 a domain's NOT NULL is a constraint too ('n'); typnotnull already says it.
               FROM pg_catalog.pg_constraint con WHERE con.contypid = t.oid AND con.contype <> 'n') AS constraints,
            pg_catalog.obj_description(t.oid, 'pg_type') AS comment
       FROM pg_catalog.pg_type t
      WHERE ${inSchema('t.typnamespace')} AND t.typtype = 'd' AND ${NOT_FROM_EXTENSION('t.oid')}`,
    schemaOnly,
  )
  const types = await rows<{ name: string; kind: TypeSnapshot['kind']; definition: string; comment: string | null }>(
    `SELECT t.typname AS name, 'composite' AS kind,
            '(' || coalesce((SELECT string_agg(pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                                                 || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || pg_catalog.quote_ident(co.collname) ELSE '' END,
                                               ', ' ORDER BY a.attnum)
                               FROM pg_catalog.pg_attribute a
                               JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                               LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
                              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')' AS definition,
            pg_catalog.obj_description(t.oid, 'pg_type') AS comment
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
      WHERE ${inSchema('t.typnamespace')} AND t.typtype = 'c' AND c.relkind = 'c' AND ${NOT_FROM_EXTENSION('t.oid')}
     UNION ALL
     SELECT t.typname, 'range',
            'RANGE (SUBTYPE = ' || pg_catalog.format_type(r.rngsubtype, NULL)
              || CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
                      THEN ', COLLATION = ' || pg_catalog.quote_ident(co.collname) ELSE '' END
              || CASE WHEN r.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text ELSE '' END || ')',
            pg_catalog.obj_description(t.oid, 'pg_type')
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
       JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = r.rngcollation
      WHERE ${inSchema('t.typnamespace')} AND ${NOT_FROM_EXTENSION('t.oid')}`,
    schemaOnly,
  )
  return {
    enums,
    domains: domains.map((domain) => {
      const nullability = domain.not_null ? 'NOT NULL' : null
      const definition = [domain.type, nullability, domain.default && `DEFAULT ${domain.default}`, domain.constraints]
      return {
        ...namedDefinition({ ...domain, definition: definition.filter((part) => part).join(' ') }),
        parts: partsOf({
          type: domain.type,
          nullability: nullability ?? 'nullable',
          default: domain.default,
          constraints: domain.constraints,
        }),
      }
    }),
    types: types.map((type) => ({ ...namedDefinition(type), kind: type.kind })),
  }
}
