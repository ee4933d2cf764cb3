import { InvalidOptionsError } from './errors.js'
import type { History } from './history-check.js'
import { oldestRecord, renumberedRecords, replacedBy } from './history-check.js'
import { renumberedAdvice } from './history-errors.js'
import type { HistoryRecord } from './history-store.js'
import type { Migration, MigrationScripts } from './migration.js'
import type { Plan } from './migration-plan.js'
import { compareVersions } from './migration-version.js'
import { recordedDownScripts } from './recorded-down.js'
import { IrreversibleMigrationError } from './run-errors.js'

/**
 * Applied migrations whose file is gone, or whose version a file of another migration holds now
 * (see {@link replacedBy}): what a database keeps after switching to a branch without them.
 */
export function missingRecords(history: History): HistoryRecord[] {
  return history.records.filter((record) => !history.byVersion.has(record.version) || replacedBy(history, record) !== undefined)
}

/**
 * The plan of `down({ missing: true })`: every missing applied migration, newest first, each
 * reverted with the down SQL history recorded when it was applied (in a transaction or not, as
 * it was applied). The migrations that keep their files stay applied, even ones newer than a
 * missing one: a branch never had the other branch's migrations, so neither depends on the
 * other. Refuses the whole plan before anything runs when any of them has no recorded down SQL,
 * and, unless `renumbered` is `'revert'`, when any of them was renumbered after it was applied.
 */
export function planMissingDown(history: History, renumbered: 'revert' | 'refuse' = 'refuse'): Plan {
  const missing = missingRecords(history).sort((a, b) => compareVersions(b.version, a.version))
  if (renumbered === 'refuse') refuseRenumbered(history, missing)
  refuseWrongFolder(history, missing)
  const unrecorded = missing.filter((record) => record.downSql === undefined)
  if (unrecorded.length) throw unrecordedDownError(unrecorded)
  const scripts = missing.map((record): MigrationScripts => {
    // Only the down section is known once the file is gone; the up section is never run here.
    const recorded = recordedDownScripts(record) as NonNullable<ReturnType<typeof recordedDownScripts>>
    return { up: { kind: 'sql', sql: '', line: 1 }, ...recorded }
  })
  const migrations = missing.map(
    (record, index): Migration => ({
      version: record.version,
      name: record.name,
      file: record.file,
      checksum: record.checksum,
      load: async () => scripts[index] as MigrationScripts,
    }),
  )
  return { direction: 'down', migrations, scripts }
}

/**
 * A missing migration renumbered after it was applied here: reverting it drops what it made (and
 * the data in it) only to apply it again, empty. Right on a database of your own after your
 * branch's migrations were renumbered past the other branch's; wrong on a shared one, where the
 * renumbering moved a migration it already had. So only an explicit opt-in reverts it.
 */
function refuseRenumbered(history: History, missing: readonly HistoryRecord[]): void {
  const moves = renumberedRecords(history, missing)
  if (moves.length === 0) return
  throw new InvalidOptionsError(
    `Nothing was reverted: reverting would drop what ${moves.length > 1 ? 'these applied migrations' : 'this applied migration'} made, ` +
      `with ${moves.length > 1 ? 'their' : 'its'} data. ${renumberedAdvice(moves)}`,
  )
}

/** When even the oldest applied migration is missing, the folder is more likely wrong than the branch. */
function refuseWrongFolder(history: History, missing: readonly HistoryRecord[]): void {
  const oldest = missing.length ? oldestRecord(history) : undefined
  if (oldest && missing.includes(oldest)) {
    throw new InvalidOptionsError(
      `Even the oldest applied migration, ${oldest.file}, has no file: this looks like the wrong migrations folder ` +
        `(--dir, or "dir" in the config file) or an incomplete checkout, not a branch switch. Nothing was reverted. ` +
        `If these migrations really are gone on this branch, roll them back on the branch that has them (mig down --to <version>).`,
    )
  }
}

function unrecordedDownError(records: readonly HistoryRecord[]): IrreversibleMigrationError {
  const first = records[0] as HistoryRecord
  const files = records.map((record) => record.file).join(', ')
  const several = records.length > 1
  return new IrreversibleMigrationError({
    migration: first,
    reason:
      `${files} ${several ? 'are' : 'is'} applied but ${several ? 'their files are' : 'its file is'} gone, and history holds no down SQL ` +
      `for ${several ? 'them' : 'it'} (no down section, a code migration, or applied by a mig that did not record it), so ` +
      `\`mig down --missing\` cannot revert ${several ? 'them' : 'it'}. Nothing was reverted. Either switch back to the branch that has ` +
      `${several ? 'the files' : 'the file'} and roll back there (\`mig down --to <the version before ${several ? 'the oldest of them' : 'it'}>\`), ` +
      `or undo ${several ? 'each' : 'it'} by hand and drop ${several ? 'each' : 'it'} from history (` +
      `${records.map((record) => `\`mig repair ${record.version} --forget\``).join(', ')}).`,
  })
}
