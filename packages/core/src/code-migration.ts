import { InvalidMigrationError } from './errors.js'
import type { MigrationFunction, MigrationScripts } from './migration.js'

/**
 * A code migration module exports `up(context)`, optionally `down(context)`, and optionally
 * `transaction = false` to run outside a transaction. CommonJS modules imported from ESM put
 * their exports under `default`, so both places are looked at.
 */
export function loadCodeMigration(file: string, module: unknown): MigrationScripts {
  const exports = module as Record<string, unknown>
  const fallback = (exports.default ?? {}) as Record<string, unknown>
  const up = exports.up ?? fallback.up
  const down = exports.down ?? fallback.down
  const transaction = exports.transaction ?? fallback.transaction ?? true
  if (typeof up !== 'function') throw new InvalidMigrationError({ file, reason: 'exports no up(context) function.' })
  if (down !== undefined && typeof down !== 'function')
    throw new InvalidMigrationError({ file, reason: 'exports a down that is not a function.' })
  if (typeof transaction !== 'boolean')
    throw new InvalidMigrationError({ file, reason: 'exports a transaction flag that is not true or false.' })
  return {
    up: { kind: 'code', run: up as MigrationFunction },
    down: down ? { kind: 'code', run: down as MigrationFunction } : undefined,
    transaction,
  }
}
