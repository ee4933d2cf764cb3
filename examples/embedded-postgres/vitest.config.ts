import { defineConfig } from 'vitest/config'
import { sourceAliases } from '../../vitest.config.js'

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    name: 'example-embedded-postgres',
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
})
