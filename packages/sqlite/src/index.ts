export type { SqliteDatabase, SqliteStatement } from './sqlite-database.js'
export type { SqliteDriverOptions, SqlitePragmaValue } from './sqlite-driver.js'
export { sqliteDriver } from './sqlite-driver.js'
export { splitSqliteStatements } from './sqlite-statement-splitter.js'
