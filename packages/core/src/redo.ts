import type { History } from './history-check.js'
import type { HistoryRecord } from './history-store.js'
import type { Migration, MigrationScripts } from './migration.js'
import { type Execution, runPlan } from './migration-execution.js'
import { isCodeMigrationFile } from './migration-filename.js'
import type { RunOptions } from './migrator-options.js'
import type { MigrateResult } from './migrator-results.js'
import { recordedDownScripts } from './recorded-down.js'
import { IrreversibleMigrationError } from './run-errors.js'

export interface RedoResult {
  readonly reverted: MigrateResult
  readonly applied: MigrateResult
}

/**
 * Reverts the newest applied migration and applies its file again, for iterating on the
 * migration you are writing. When the file changed since it was applied, it is reverted with
 * the down SQL history recorded then (what was applied is what gets undone), and the file as it
 * is now is applied. History is checked by the caller, allowing only this one change.
 */
export async function redo(execution: Execution, history: History, options: RunOptions): Promise<RedoResult> {
  const record = history.recordByVersion.get(history.newestRecordedVersion)
  const empty = (direction: 'up' | 'down'): MigrateResult => ({ direction, migrations: [], durationMs: 0 })
  if (!record) return { reverted: empty('down'), applied: empty('up') }
  const migration = history.byVersion.get(record.version) as Migration
  const scripts = await migration.load()
  const reverting = { direction: 'down', migrations: [migration], scripts: [revertingScripts(migration, record, scripts)] } as const
  const reverted = await runPlan(execution, reverting, options)
  // Once reverted, the migration is applied again even if the run is cancelled meanwhile.
  const applied = await runPlan(
    execution,
    { direction: 'up', migrations: [migration], scripts: [scripts] },
    { cancelSignal: options.cancelSignal },
  )
  return { reverted, applied }
}

function revertingScripts(migration: Migration, record: HistoryRecord, scripts: MigrationScripts): MigrationScripts {
  if (migration.checksum === record.checksum) {
    if (!scripts.down) throw new IrreversibleMigrationError({ migration })
    return scripts
  }
  const recorded = recordedDownScripts(record)
  if (!recorded) {
    throw new IrreversibleMigrationError({
      migration,
      reason:
        `${migration.file} changed since it was applied, and history holds no down SQL for the version that was applied ` +
        `(${isCodeMigrationFile(migration.file) ? 'a code migration has none' : 'it had no down section, or an older mig applied it'}), so redo cannot undo what ran. Nothing was reverted. ` +
        `Restore the file as it was applied and run redo again, or undo it by hand and run \`mig repair ${migration.version} --forget\` ` +
        'after moving the file away.',
    })
  }
  return { ...scripts, ...recorded }
}
