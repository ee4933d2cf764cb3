import { InvalidMigrationError } from './errors.js'
import type { MigrationFunction, MigrationScripts } from './migration.js'

/**
 * A code migration module exports `up(context)`, optionally `down(context)`, and optionally
 * `transaction = false` to run outside a transaction. CommonJS modules imported from ESM put
 * their exports under `default`, so both places are looked at. An ES module compiled to
 * CommonJS (tsx in a package without `"type": "module"`, tsc) marks itself `__esModule` and
 * keeps its own default export one `default` further down.
 */
export function loadCodeMigration(file: string, module: unknown): MigrationScripts {
  const exports = module as Record<string, unknown>
  const commonJs = (exports.default ?? {}) as Record<string, unknown>
  const compiledDefault = (commonJs.__esModule === true ? (commonJs.default ?? {}) : {}) as Record<string, unknown>
  const exported = (name: string) => exports[name] ?? commonJs[name] ?? compiledDefault[name]
  const up = exported('up')
  const down = exported('down')
  const transaction = exported('transaction') ?? true
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
