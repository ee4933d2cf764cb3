import { defineConfig } from 'vitest/config'
import { sourceAliases } from '../../vitest.config.js'

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: { name: 'lint' },
})
