import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/**
 * One run over every package, so that @mig/core's coverage counts what the dialect packages'
 * conformance runs exercise. In-process imports of @mig/* resolve to source; tests that spawn
 * processes use the built packages.
 */
export const sourceAliases = {
  '@mig/core/testing': source('./packages/core/src/testing/index.ts'),
  '@mig/core': source('./packages/core/src/index.ts'),
  '@mig/sqlite': source('./packages/sqlite/src/index.ts'),
  '@mig/postgres': source('./packages/postgres/src/index.ts'),
  '@mig/lint': source('./packages/lint/src/index.ts'),
}

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    projects: ['packages/*', 'examples/*', 'tests/*', 'tools/test-topology'],
    // CI reads the counts from the JSON report to print its closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.test-output/vitest.json' }]] : ['default'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**'],
      exclude: ['packages/core/src/testing/**', '**/*.d.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        'packages/core/src/**': { lines: 90, branches: 90, functions: 90, statements: 90 },
      },
    },
  },
})
