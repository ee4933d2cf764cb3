import type { LockHolder } from './driver.js'
import type { MigrationInfo } from './migration.js'

/**
 * Everything a run reports, in the order it happens. The library itself prints nothing.
 * `lock-waiting` comes when the wait starts and then every few seconds while it lasts.
 */
export type MigratorEvent =
  | {
      readonly type: 'lock-waiting'
      readonly holder: LockHolder | undefined
      /** The holder in words: `held by pid 7 on db-1 since …`, or `holder unknown`. */
      readonly description: string
      readonly waitedMs: number
    }
  | { readonly type: 'lock-acquired'; readonly waitedMs: number }
  | { readonly type: 'lock-released' }
  | { readonly type: 'migrating'; readonly migration: MigrationInfo; readonly transaction: boolean }
  | {
      readonly type: 'migrated'
      readonly migration: MigrationInfo
      /** The time of the migration's own SQL or code, the `execution_ms` its history row records: not the commit. */
      readonly durationMs: number
      /** False in `transactionMode: 'single'`, where it commits or rolls back with the rest of the run. */
      readonly committed: boolean
    }
  | { readonly type: 'reverting'; readonly migration: MigrationInfo; readonly transaction: boolean }
  | {
      /**
       * SQL of a migration about to be sent, as sent: a whole section in a transaction (the
       * database parses it), each statement outside one, each `run` or `query` of a code migration.
       */
      readonly type: 'executing'
      readonly migration: MigrationInfo
      readonly sql: string
    }
  | { readonly type: 'reverted'; readonly migration: MigrationInfo; readonly durationMs: number; readonly committed: boolean }
  | { readonly type: 'baselined'; readonly migration: MigrationInfo }
  | { readonly type: 'repaired'; readonly migration: MigrationInfo; readonly resolution: RepairResolution }
  | { readonly type: 'failed'; readonly migration: MigrationInfo; readonly direction: 'up' | 'down'; readonly error: Error }
  | {
      /** A transactional migration gave up waiting for a table lock (PostgreSQL `lock_timeout`) and was rolled back; it runs again after `delayMs`. */
      readonly type: 'retrying'
      readonly migration: MigrationInfo
      /** The attempt that comes next: 2 for the first retry. */
      readonly attempt: number
      readonly attempts: number
      readonly delayMs: number
      readonly error: Error
    }
  | { readonly type: 'warning'; readonly migration: MigrationInfo | undefined; readonly message: string }

export type MigratorEventType = MigratorEvent['type']
export type MigratorEventOf<T extends MigratorEventType> = Extract<MigratorEvent, { type: T }>

/**
 * How `repair` resolves a history row: `applied` or `rolled-back` for a migration that failed
 * part-way (after the database was put right by hand), `accept-checksum` for an applied file
 * whose edit is known to be harmless, `forget` for an applied file removed on purpose.
 */
export type RepairResolution = 'applied' | 'rolled-back' | 'accept-checksum' | 'forget'

/** Any object with these methods works: `console`, pino, winston. */
export interface Logger {
  debug?(message: string): void
  info?(message: string): void
  warn?(message: string): void
  error?(message: string): void
}

/** The line a logger gets for each event. */
export function logEvent(logger: Logger, event: MigratorEvent): void {
  switch (event.type) {
    case 'lock-waiting':
      logger.info?.(`waiting for the migration lock (${event.description})`)
      return
    case 'lock-acquired':
      logger.debug?.(`migration lock acquired after ${event.waitedMs} ms`)
      return
    case 'lock-released':
      logger.debug?.('migration lock released')
      return
    case 'migrating':
      logger.info?.(`applying ${event.migration.file}`)
      return
    case 'migrated':
      logger.info?.(`applied ${event.migration.file} in ${event.durationMs} ms${event.committed ? '' : ' (commits with the run)'}`)
      return
    case 'reverting':
      logger.info?.(`reverting ${event.migration.file}`)
      return
    case 'executing':
      logger.debug?.(`${event.migration.file}: ${event.sql}`)
      return
    case 'reverted':
      logger.info?.(`reverted ${event.migration.file} in ${event.durationMs} ms${event.committed ? '' : ' (commits with the run)'}`)
      return
    case 'baselined':
      logger.info?.(`baselined ${event.migration.file}`)
      return
    case 'repaired':
      logger.info?.(`repaired ${event.migration.file}: ${event.resolution}`)
      return
    case 'failed':
      logger.error?.(event.error.message)
      return
    case 'retrying':
      logger.warn?.(
        `${event.migration.file} waited too long for a table lock and was rolled back; attempt ${event.attempt} of ${event.attempts} in ${event.delayMs} ms`,
      )
      return
    case 'warning':
      logger.warn?.(event.migration ? `${event.migration.file}: ${event.message}` : event.message)
      return
  }
}
