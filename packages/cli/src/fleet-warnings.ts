import { formatCount, TargetList } from './fleet-target-list.js'

/** A warning a target's run gave, as `mig up` prints it without `--fleet`: `file: message`. */
export interface TargetWarning {
  /** The migration it is about; null when it is about none. */
  readonly file: string | null
  readonly message: string
}

/** How many distinct warnings the summary groups; past them, each is printed as it comes and only counted. */
const GROUPED = 100

/**
 * The warnings of a fleet run: each distinct warning of a target once (a retried target gives
 * its warnings again), and identical warnings of many targets grouped, so that a thousand
 * tenants with the same empty migration give one line. Holds the warnings of the running targets
 * and at most {@link GROUPED} groups, never one entry per target.
 */
export class FleetWarnings {
  private readonly running = new Map<string, TargetWarning[]>()
  private readonly groups = new Map<string, { readonly warning: TargetWarning; readonly targets: TargetList }>()
  private ungrouped = 0

  /** Notes a warning of a running target; true when no target gave it before, so it is worth printing now. */
  add(id: string, warning: TargetWarning): boolean {
    const text = warningText(warning)
    const ofTarget = this.running.get(id) ?? []
    if (ofTarget.some((known) => warningText(known) === text)) return false
    ofTarget.push(warning)
    this.running.set(id, ofTarget)
    const group = this.groups.get(text)
    if (group) {
      group.targets.add(id)
      return false
    }
    if (this.groups.size < GROUPED) this.groups.set(text, { warning, targets: new TargetList().add(id) })
    else this.ungrouped++
    return true
  }

  /** The warnings of a target that ended, which are then forgotten. */
  finish(id: string): TargetWarning[] {
    const warnings = this.running.get(id) ?? []
    this.running.delete(id)
    return warnings
  }

  /** Each distinct warning, then the targets that gave it: most targets first. */
  lines(): string[] {
    if (this.groups.size === 0) return []
    const lines = ['Warnings:']
    for (const { warning, targets } of this.sorted()) {
      lines.push(
        `  ${warningText(warning)}`,
        `    on ${targets.count === 1 ? '1 target' : `${formatCount(targets.count)} targets`}: ${targets.listed()}`,
      )
    }
    if (this.ungrouped > 0) {
      lines.push(
        `  … and ${formatCount(this.ungrouped)} more ${this.ungrouped === 1 ? 'warning' : 'warnings'}, each printed as it came (--json lists each target's)`,
      )
    }
    return lines
  }

  toJson(): Record<string, unknown>[] {
    return this.sorted().map(({ warning, targets }) => ({ ...warning, ...targets.toJson() }))
  }

  private sorted() {
    return [...this.groups.values()].sort((a, b) => b.targets.count - a.targets.count)
  }
}

/** As a single run prints it after `Warning: `. */
export function warningText(warning: TargetWarning): string {
  return warning.file === null ? warning.message : `${warning.file}: ${warning.message}`
}
