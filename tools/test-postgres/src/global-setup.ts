import type {} from 'vitest'
import type { TestProject } from 'vitest/node'
import { startTestPostgres } from './test-postgres-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
  }
}

/**
 * A vitest globalSetup: one server for the whole run (the configured one, the local one, or a
 * throwaway one), its URL given to tests as `inject('postgresUrl')`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestPostgres()
  project.provide('postgresUrl', server.url)
  return () => server.stop()
}
