import type { RepeatableRecord } from './history-store.js'
import type { RepeatableMigration } from './migration.js'
import type { RepeatableReruns } from './repeatable-reruns.js'

/**
 * `new`: never applied. `changed`: its file differs from what was applied last; it runs again.
 * `up-to-date`: applied as the file is now. `removed`: applied once, its file is gone; nothing
 * is dropped, the objects it made stay.
 */
export type RepeatableState = 'new' | 'changed' | 'up-to-date' | 'removed'

/** A repeatable migration's file beside what history recorded for its name. */
export interface RepeatableComparison {
  readonly name: string
  readonly file: string
  readonly state: RepeatableState
  readonly migration: RepeatableMigration | undefined
  readonly record: RepeatableRecord | undefined
}

/** Files and records side by side, in name order: the order repeatable migrations run in. */
export function compareRepeatables(
  migrations: readonly RepeatableMigration[],
  records: readonly RepeatableRecord[],
): RepeatableComparison[] {
  const recordByName = new Map(records.map((record) => [record.name, record]))
  const fileByName = new Map(migrations.map((migration) => [migration.name, migration]))
  const names = [...new Set([...fileByName.keys(), ...recordByName.keys()])].sort()
  return names.map((name) => {
    const migration = fileByName.get(name)
    const record = recordByName.get(name)
    const state: RepeatableState = !migration
      ? 'removed'
      : !record
        ? 'new'
        : record.checksum === migration.checksum
          ? 'up-to-date'
          : 'changed'
    return { name, file: migration?.file ?? record?.file ?? name, state, migration, record }
  })
}

/**
 * The repeatable migrations `up` runs once no versioned migration is pending: new and changed,
 * and those that run again because the versioned ones drop what they create; in name order.
 */
export function dueRepeatables(repeatables: readonly RepeatableComparison[], reruns: RepeatableReruns = new Map()): RepeatableMigration[] {
  return repeatables.flatMap((repeatable) =>
    repeatable.migration && (repeatable.state === 'new' || repeatable.state === 'changed' || reruns.has(repeatable.name))
      ? [repeatable.migration]
      : [],
  )
}
