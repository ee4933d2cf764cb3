import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { sourceAliases } from '../../vitest.config.ts'

export default defineConfig({
  resolve: {
    alias: {
      ...sourceAliases,
      // Resolves before and after @mig-internal/test-postgres is linked into node_modules.
      '@mig-internal/test-postgres': fileURLToPath(new URL('../../tools/test-postgres/src/index.ts', import.meta.url)),
    },
  },
  test: {
    name: 'cli',
    globalSetup: [fileURLToPath(import.meta.resolve('@mig-internal/test-postgres/global-setup'))],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
