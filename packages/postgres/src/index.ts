export type { PostgresClient, PostgresPool, PostgresPoolClient } from './postgres-client.js'
export type { PostgresDriverOptions } from './postgres-driver.js'
export { postgresDriver } from './postgres-driver.js'
