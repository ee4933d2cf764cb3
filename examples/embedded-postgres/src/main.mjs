// The service as deployed with its source: migrations are read from the folder next to it.
import { fileURLToPath } from 'node:url'
import { fromDirectory } from '@mig/core'
import { startService } from './service.mjs'

const migrations = fileURLToPath(new URL('../migrations', import.meta.url))

process.exitCode = await startService({
  databaseUrl: process.env.DATABASE_URL,
  source: fromDirectory(migrations),
})
