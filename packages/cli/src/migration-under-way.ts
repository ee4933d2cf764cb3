import type { Migrator } from '@mig/core'

let underWay: { readonly file: string; readonly direction: 'up' | 'down' } | undefined

/**
 * Keeps the migration whose up or down is running, so that bin.ts can name it when the process
 * runs out of work with the run unfinished: a code migration that awaits a promise nothing will
 * ever settle. Returns the function that stops tracking.
 */
export function trackMigrationUnderWay(migrator: Migrator): () => void {
  const finished = () => {
    underWay = undefined
  }
  const unsubscribes = [
    migrator.on('migrating', (event) => {
      underWay = { file: event.migration.file, direction: 'up' }
    }),
    migrator.on('reverting', (event) => {
      underWay = { file: event.migration.file, direction: 'down' }
    }),
    migrator.on('migrated', finished),
    migrator.on('reverted', finished),
    migrator.on('failed', finished),
  ]
  return () => {
    finished()
    for (const unsubscribe of unsubscribes) unsubscribe()
  }
}

export function migrationUnderWay(): { readonly file: string; readonly direction: 'up' | 'down' } | undefined {
  return underWay
}
