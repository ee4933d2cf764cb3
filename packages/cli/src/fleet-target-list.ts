/** How many targets' ids a list names; the rest are counted. */
const LISTED = 10

/**
 * Targets that share something in a fleet report (a version, a warning): their count and the
 * first few ids, never every target.
 */
export class TargetList {
  count = 0
  readonly ids: string[] = []

  add(id: string): this {
    this.count++
    if (this.ids.length < LISTED) this.ids.push(id)
    return this
  }

  /** `a, b, c` or `a, b, c and 1,409 more` */
  listed(): string {
    const more = this.count - this.ids.length
    return more > 0 ? `${this.ids.join(', ')} and ${formatCount(more)} more` : this.ids.join(', ')
  }

  toJson(): { count: number; targets: readonly string[]; listedAll: boolean } {
    return { count: this.count, targets: this.ids, listedAll: this.ids.length === this.count }
  }
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US')
}
