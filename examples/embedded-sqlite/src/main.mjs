// The service as deployed with its source: migrations are read from the folder next to it.
import { fileURLToPath } from 'node:url'
import { fromDirectory } from '@mig/core'
import { startService } from './service.mjs'

const migrations = fileURLToPath(new URL('../migrations', import.meta.url))

process.exitCode = await startService({
  databaseFile: process.env.DATABASE_FILE ?? 'bookmarks.db',
  source: fromDirectory(migrations),
})
