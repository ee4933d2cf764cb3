// Brings the typing of inject('postgresUrl') to every test that uses this package.
import type {} from './global-setup.js'

export type { TestDatabase } from './test-database.js'
export { createTestDatabase } from './test-database.js'
export type { EmbeddedPostgresOptions, EmbeddedTestPostgresServer, TestPostgresServer } from './test-postgres-server.js'
export { freePort, startEmbeddedPostgres, startTestPostgres, unprivilegedUser } from './test-postgres-server.js'
