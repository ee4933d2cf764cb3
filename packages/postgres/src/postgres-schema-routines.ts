import type { NamedDefinition } from '@mig/core'
import { type CatalogRows, inSchema, NOT_FROM_EXTENSION, namedDefinition, partsOf, withoutSchema } from './postgres-schema-catalog.js'

interface RoutineRow {
  name: string
  definition: string
  comment: string | null
  arguments: string
  return_type: string | null
  language: string
  volatility: string
  security: string
  options: string | null
  body: string | null
}

/**
 * Functions and procedures, each with its `pg_get_functiondef` text and that text's parts, so
 * that a difference says whether the body, the arguments or an attribute changed. `options`
 * holds what `pg_get_functiondef` prints only when it is not the default (STRICT, COST, SET …).
 * A `BEGIN ATOMIC` body has no source text (`prosrc` is empty): its difference is quoted from
 * the definition.
 */
export async function describePostgresRoutines(rows: CatalogRows, schema: string): Promise<NamedDefinition[]> {
  const routines = await rows<RoutineRow>(
    `SELECT p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' AS name,
            pg_catalog.pg_get_functiondef(p.oid) AS definition, pg_catalog.obj_description(p.oid, 'pg_proc') AS comment,
            pg_catalog.pg_get_function_arguments(p.oid) AS arguments, pg_catalog.pg_get_function_result(p.oid) AS return_type,
            l.lanname AS language,
            CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END AS volatility,
            CASE WHEN p.prosecdef THEN 'DEFINER' ELSE 'INVOKER' END AS security,
            NULLIF(concat_ws(' ',
              CASE WHEN p.proisstrict THEN 'STRICT' END,
              CASE WHEN p.proleakproof THEN 'LEAKPROOF' END,
              CASE p.proparallel WHEN 's' THEN 'PARALLEL SAFE' WHEN 'r' THEN 'PARALLEL RESTRICTED' END,
              CASE WHEN p.procost <> CASE WHEN l.lanname IN ('internal', 'c') THEN 1 ELSE 100 END THEN 'COST ' || p.procost END,
              CASE WHEN p.proretset AND p.prorows <> 1000 THEN 'ROWS ' || p.prorows END,
              (SELECT string_agg('SET ' || setting, ' ') FROM unnest(p.proconfig) setting)), '') AS options,
            NULLIF(p.prosrc, '') AS body
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
      WHERE ${inSchema('p.pronamespace')} AND p.prokind IN ('f', 'p') AND ${NOT_FROM_EXTENSION('p.oid')}
        -- A range type's constructors come with the type.
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                         WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')`,
    [schema],
  )
  return routines.map((routine) => ({
    ...namedDefinition({ ...routine, definition: withoutSchema(routine.definition, /^CREATE OR REPLACE (FUNCTION|PROCEDURE) /) }),
    parts: partsOf({
      arguments: routine.arguments,
      'return type': routine.return_type,
      language: routine.language,
      volatility: routine.volatility,
      security: routine.security,
      options: routine.options,
      body: routine.body,
    }),
  }))
}
