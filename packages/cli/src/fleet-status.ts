import type { MigrationStatus, MigrationVersion, RepeatableStatus } from '@mig/core'
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
    label: applied ? (/^\d+/.exec(applied.file)?.[0] ?? String(applied.version)) : undefined,
    pending: statuses.filter((status) => status.state === 'pending').length,
    running: statuses.filter((status) => status.state === 'running').length,
    repeatablesDue: repeatables.filter((repeatable) => repeatable.state === 'new' || repeatable.state === 'changed').length,
    problems: statuses.filter((status) => status.problem !== undefined).map((status) => `${status.file} (${status.problem})`),
  }
}

/** How many targets' ids a group lists; the rest are counted. */
const LISTED = 10

interface Group {
  readonly label: string
  readonly version: MigrationVersion
  count: number
  readonly ids: string[]
}

/**
 * `mig status --fleet`: targets grouped by the version they are at, plus those with problems and
 * those that could not be read. Holds counts and a few ids per group, never every target.
 */
export class VersionGroups {
  private readonly byVersion = new Map<MigrationVersion, Group>()
  private readonly problems: Group = { label: 'with problems', version: -1, count: 0, ids: [] }
  private readonly unread: Group = { label: 'unreachable or failed', version: -1, count: 0, ids: [] }
  private pendingTargets = 0

  add(id: string, target: TargetVersion): void {
    const group = this.byVersion.get(target.version) ?? { label: target.label ?? 'none', version: target.version, count: 0, ids: [] }
    this.byVersion.set(target.version, group)
    note(group, id)
    if (target.problems.length > 0) note(this.problems, `${id}: ${target.problems.join(', ')}`)
    // As `mig status --exit-code` on one database: a migration under way is not done yet.
    if (target.pending + target.running + target.repeatablesDue > 0) this.pendingTargets++
  }

  addUnread(id: string): void {
    note(this.unread, id)
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
      (a, b) => b.count - a.count || (b.version > a.version ? 1 : b.version < a.version ? -1 : 0),
    )
    const atVersions = groups.map((group, index) => {
      const count = index === 0 ? plural(group.count, 'target').replace(/^\d+/, formatCount(group.count)) : formatCount(group.count)
      const where = group.version === 0 ? 'with no migration applied' : `at ${group.label}`
      return index === 0 ? `${count} ${where}` : `${count} ${where}: ${listed(group)}`
    })
    const lines = atVersions.length ? [atVersions.join(', ')] : ['No target was read.']
    for (const group of [this.problems, this.unread]) {
      if (group.count > 0) lines.push(`${formatCount(group.count)} ${group.label}: ${listed(group)}`)
    }
    return lines
  }

  toJson(): Record<string, unknown> {
    const group = (item: Group) => ({ count: item.count, targets: item.ids, listedAll: item.ids.length === item.count })
    return {
      versions: [...this.byVersion.values()].map((item) => ({
        version: typeof item.version === 'bigint' ? item.version.toString() : item.version,
        label: item.label,
        ...group(item),
      })),
      withProblems: group(this.problems),
      unreachableOrFailed: group(this.unread),
      withPending: this.pendingTargets,
    }
  }
}

function note(group: Group, id: string): void {
  group.count++
  if (group.ids.length < LISTED) group.ids.push(id)
}

function listed(group: Group): string {
  const more = group.count - group.ids.length
  return more > 0 ? `${group.ids.join(', ')} and ${formatCount(more)} more` : group.ids.join(', ')
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US')
}
