import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { sourceAliases } from '../../vitest.config.js'

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    name: 'test-topology',
    include: ['test/**/*.test.ts'],
    globalSetup: [fileURLToPath(import.meta.resolve('@mig-internal/test-postgres/global-setup'))],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
