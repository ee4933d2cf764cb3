export type { MigrationContext } from '@mig/core'
export type { MigConfig } from './define-config.js'
export { defineConfig } from './define-config.js'
export { ExitCode } from './exit-codes.js'
