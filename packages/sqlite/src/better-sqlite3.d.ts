// The few bits of better-sqlite3 this package touches; the rest is typed by SqliteDatabase.
declare module 'better-sqlite3' {
  const Database: new (filename: string, options?: { timeout?: number }) => unknown
  export default Database
}
