import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runDriverConformanceSuite } from '@mig/core/testing'
import { sqliteDriver } from '@mig/sqlite'
import Database from 'better-sqlite3'

runDriverConformanceSuite({
  name: 'sqlite file',
  placeholder: () => '?',
  async createDatabase() {
    const folder = await mkdtemp(join(tmpdir(), 'mig-sqlite-'))
    const filename = join(folder, 'test.db')
    return {
      driver: () => sqliteDriver({ filename }),
      async tables() {
        const database = new Database(filename)
        try {
          const rows = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
            name: string
          }[]
          return rows.map((row) => row.name)
        } finally {
          database.close()
        }
      },
      destroy: () => rm(folder, { recursive: true, force: true }),
    }
  },
})
