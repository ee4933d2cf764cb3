// The few bits of better-sqlite3 these suites use to look at a database file directly.
declare module 'better-sqlite3' {
  interface Statement {
    all(...params: unknown[]): unknown[]
    get(...params: unknown[]): unknown
    run(...params: unknown[]): { changes: number }
  }
  interface Database {
    exec(sql: string): unknown
    prepare(sql: string): Statement
    close(): unknown
  }
  const Database: new (filename: string, options?: { fileMustExist?: boolean; timeout?: number; readonly?: boolean }) => Database
  export default Database
}
