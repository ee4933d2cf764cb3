import { listMigrations, listRepeatables, readHistory } from './locked-session.js'
import type { MigratorSettings } from './migrator-options.js'
import type { RepeatableStatus } from './migrator-results.js'

/** Every repeatable migration known to the files or to history, in the order they run. */
export async function repeatableStatus(settings: MigratorSettings): Promise<RepeatableStatus[]> {
  const repeatables = await listRepeatables(settings)
  const history = await readHistory(settings, await listMigrations(settings), { check: false, repeatables })
  return history.repeatables.map(({ name, file, state, record }) => ({
    name,
    file,
    state,
    appliedAt: record?.appliedAt,
    executionMs: record?.executionMs,
    appliedBy: record?.appliedBy,
  }))
}
