// The service as one bundled file (build.mjs): the migrations travel inside it as text.

// build.mjs turns this import into the migrations folder's files, [{ file, content }, …].
import migrations from 'virtual:migrations'
import { fromList } from '@mig/core'
import { startService } from './service.mjs'

process.exitCode = await startService({
  databaseFile: process.env.DATABASE_FILE ?? 'bookmarks.db',
  source: fromList(migrations),
})
