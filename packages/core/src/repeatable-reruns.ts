import type { DialectText } from './driver.js'
import type { Migration, MigrationScripts } from './migration.js'
import { createdObjects, droppedObjects, type NamedObject, sameObject } from './named-objects.js'
import type { RepeatableComparison } from './repeatable-history.js'

/** Applied, unchanged repeatable migrations that run again, by name, each with the reason (`0005_x.sql drops view v, which it creates`). */
export type RepeatableReruns = ReadonlyMap<string, string>

/**
 * The up-to-date repeatable migrations that create, by name, an object that one of these
 * versioned migrations drops by name: without running again, the object would be gone while
 * the repeatable one counts as applied. Static and exact: code migrations cannot be read, and
 * what a CASCADE drops unnamed is not seen (`mig drift` shows it).
 */
export async function findReruns(
  versioned: readonly Migration[],
  scripts: readonly MigrationScripts[],
  repeatables: readonly RepeatableComparison[],
  text: Pick<DialectText, 'splitStatements'>,
): Promise<Map<string, string>> {
  const reruns = new Map<string, string>()
  const applied = repeatables.filter((repeatable) => repeatable.state === 'up-to-date' && repeatable.migration)
  if (applied.length === 0) return reruns
  const drops = versioned.map((migration, index) => ({ migration, objects: namedIn(scripts[index], text, droppedObjects) }))
  if (!drops.some(({ objects }) => objects.length)) return reruns
  for (const { name, migration } of applied) {
    if (!migration) continue
    const created = namedIn(await migration.load(), text, createdObjects)
    const reasons = drops.flatMap(({ migration: dropper, objects }) =>
      objects
        .filter((dropped) => created.some((object) => sameObject(object, dropped)))
        .map((dropped) => `${dropper.file} drops ${dropped.kind} ${dropped.name}, which it creates`),
    )
    if (reasons.length) reruns.set(name, [...new Set(reasons)].join('; '))
  }
  return reruns
}

function namedIn(
  scripts: MigrationScripts | undefined,
  text: Pick<DialectText, 'splitStatements'>,
  named: (statement: string) => NamedObject[],
): NamedObject[] {
  // Most migrations drop nothing: only a script that says DROP or CREATE is split.
  if (scripts?.up.kind !== 'sql' || !/\b(?:drop|create)\b/i.test(scripts.up.sql)) return []
  return text.splitStatements(scripts.up.sql).flatMap((statement) => named(statement.text))
}
