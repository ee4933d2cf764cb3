import type { NamedDefinition } from '@mig/core'

/** Runs one catalog query; `$1` is always the schema being described. */
export type CatalogRows = <Row>(sql: string, params: unknown[]) => Promise<Row[]>

// Objects that belong to an extension are the extension's business, not the migrations'; the
// extension itself is recorded instead.
export const NOT_FROM_EXTENSION = (oid: string) => `${oid} NOT IN (SELECT dep.objid FROM pg_catalog.pg_depend dep WHERE dep.deptype = 'e')`

/** `column` is the oid of the schema named by `$1`. */
export const inSchema = (column: string) => `${column} = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)`

/**
 * `pg_get_indexdef` and `pg_get_functiondef` name the schema even when it is on the search path;
 * without it, the definition reads the same in a schema of another name.
 */
export function withoutSchema(definition: string, before: RegExp): string {
  const qualified = new RegExp(`(${before.source})(?:"(?:[^"]|"")+"|[^\\s."(]+)\\.`)
  return definition.replace(qualified, '$1')
}

export function namedDefinition(row: { name: string; definition: string; comment?: string | null }): NamedDefinition {
  return { name: row.name, definition: row.definition, ...optional('comment', row.comment) }
}

/** The parts of a definition that the catalog has, leaving out those it has not (NULL). */
export function partsOf(row: Readonly<Record<string, string | null>>): Record<string, string> {
  return Object.fromEntries(Object.entries(row).filter((entry): entry is [string, string] => entry[1] !== null))
}

/** `{ [key]: value }` when there is a value, so that snapshots hold no undefined fields. */
export function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}
