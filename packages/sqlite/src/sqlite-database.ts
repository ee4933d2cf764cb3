/**
 * The part of a better-sqlite3 `Database` this driver uses. Declared here so that no client
 * library type leaks into the public API; any object of this shape works.
 */
export interface SqliteDatabase {
  readonly name: string
  readonly memory: boolean
  readonly inTransaction: boolean
  exec(sql: string): unknown
  prepare(sql: string): SqliteStatement
  close(): unknown
}

export interface SqliteStatement {
  readonly reader: boolean
  all(...params: unknown[]): unknown[]
  get(...params: unknown[]): unknown
  run(...params: unknown[]): { changes: number }
}
