import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { sourceAliases } from '../../vitest.config.js'

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    name: 'safety',
    globalSetup: [fileURLToPath(import.meta.resolve('@mig-internal/test-postgres/global-setup'))],
    // Hang guards only: every suite bounds its own waits, and these catch what slips through.
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
})
