import type { MigrationInfo, MigrationStatus, MigrationVersion, RepeatableStatus } from '@mig/core'
import { formatCount, TargetList } from './fleet-target-list.js'
import { plural } from './format.js'

/** Where one target stands: its newest applied migration, what is pending, what `validate` would refuse. */
export interface TargetVersion {
  /** The newest applied (or baselined) version; 0 when none is. */
  readonly version: MigrationVersion
  /** Its file's version as written (`0042`), or undefined when none is applied. */
  readonly label: string | undefined
  readonly pending: number
  /** Being applied now, outside a transaction, by a run that holds the target's lock. */
  readonly running: number
  /** New or changed repeatable migrations, which the next `up` runs. */
  readonly repeatablesDue: number
  /** The files `validate` would refuse, with why: `0003_x.sql (changed)`. */
  readonly problems: readonly string[]
}

export function targetVersion(statuses: readonly MigrationStatus[], repeatables: readonly RepeatableStatus[]): TargetVersion {
  const applied = statuses.filter((status) => status.state === 'applied' || status.state === 'baselined').at(-1)
  return {
    version: applied?.version ?? 0,
    label: applied ? versionAsWritten(applied) : undefined,
    pending: statuses.filter((status) => status.state === 'pending').length,
    running: statuses.filter((status) => status.state === 'running').length,
    repeatablesDue: repeatables.filter(
      (repeatable) => repeatable.state === 'new' || repeatable.state === 'changed' || repeatable.runsAgain !== undefined,
    ).length,
    problems: statuses.filter((status) => status.problem !== undefined).map((status) => `${status.file} (${status.problem})`),
  }
}

/** A migration's version as its file name writes it (`0042`), so a report reads as the folder does. */
export function versionAsWritten(migration: MigrationInfo): string {
  return /^\d+/.exec(migration.file)?.[0] ?? String(migration.version)
}

interface VersionGroup {
  readonly label: string
  readonly version: MigrationVersion
  readonly targets: TargetList
}

/**
 * `mig status --fleet`: targets grouped by the version they are at, plus those with problems and
 * those that could not be read. Holds counts and a few ids per group, never every target.
 */
export class VersionGroups {
  private readonly byVersion = new Map<MigrationVersion, VersionGroup>()
  private readonly problems = new TargetList()
  private readonly unread = new TargetList()
  private pendingTargets = 0

  add(id: string, target: TargetVersion): void {
    const group = this.byVersion.get(target.version) ?? {
      label: target.label ?? 'none',
      version: target.version,
      targets: new TargetList(),
    }
    this.byVersion.set(target.version, group)
    group.targets.add(id)
    if (target.problems.length > 0) this.problems.add(`${id}: ${target.problems.join(', ')}`)
    // As `mig status --exit-code` on one database: a migration under way is not done yet.
    if (target.pending + target.running + target.repeatablesDue > 0) this.pendingTargets++
  }

  /** A target that failed or was unreachable; a cancelled one was not read, and the summary counts it as cancelled. */
  addUnread(id: string): void {
    this.unread.add(id)
  }

  get withProblems(): number {
    return this.problems.count
  }

  get withPending(): number {
    return this.pendingTargets
  }

  /** `1,412 targets at 0042, 3 at 0041: a, b, c` and the problem lines, largest group first. */
  lines(): string[] {
    const groups = [...this.byVersion.values()].sort(
      (a, b) => b.targets.count - a.targets.count || (b.version > a.version ? 1 : b.version < a.version ? -1 : 0),
    )
    const atVersions = groups.map(({ targets, version, label }, index) => {
      const count = index === 0 ? plural(targets.count, 'target').replace(/^\d+/, formatCount(targets.count)) : formatCount(targets.count)
      const where = version === 0 ? 'with no migration applied' : `at ${label}`
      return index === 0 ? `${count} ${where}` : `${count} ${where}: ${targets.listed()}`
    })
    const lines = atVersions.length ? [atVersions.join(', ')] : ['No target was read.']
    for (const [label, targets] of [
      ['with problems', this.problems],
      ['unreachable or failed', this.unread],
    ] as const) {
      if (targets.count > 0) lines.push(`${formatCount(targets.count)} ${label}: ${targets.listed()}`)
    }
    return lines
  }

  toJson(): Record<string, unknown> {
    return {
      versions: [...this.byVersion.values()].map((item) => ({
        version: typeof item.version === 'bigint' ? item.version.toString() : item.version,
        label: item.label,
        ...item.targets.toJson(),
      })),
      withProblems: this.problems.toJson(),
      unreachableOrFailed: this.unread.toJson(),
      withPending: this.pendingTargets,
    }
  }
}
