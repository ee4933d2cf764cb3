/** A `-- mig:allow <rule>: <reason>` line. */
export interface Suppression {
  readonly rule: string
  readonly reason: string
  /** 1-based line in the file. */
  readonly line: number
  /** `file` above `-- mig:up`: the whole migration; `statement`: the statement it stands in or before. */
  readonly scope: 'file' | 'statement'
}

/** A `-- mig:allow` line that cannot be used; lint reports it as an error. */
export interface InvalidSuppression {
  readonly line: number
  readonly column: number
  readonly message: string
}

const ALLOW = /^(\s*--\s*mig:allow)(.*)$/
const RULE_AND_REASON = /^\s+([a-z0-9-]+)\s*(?::\s*(.*?))?\s*$/

/**
 * Reads the suppressions of a migration file. `upLine` is the line of `-- mig:up`: a suppression
 * above it covers the whole file, one below it the next statement. Each must name a known rule
 * and give a reason, so that the next reader knows why the risk was accepted.
 */
export function readSuppressions(
  text: string,
  upLine: number,
  knownRules: ReadonlySet<string>,
): { suppressions: Suppression[]; invalid: InvalidSuppression[] } {
  const suppressions: Suppression[] = []
  const invalid: InvalidSuppression[] = []
  text.split('\n').forEach((lineText, index) => {
    const match = ALLOW.exec(lineText)
    if (!match) return
    const line = index + 1
    const column = (match[1] as string).indexOf('--') + 1
    const parts = RULE_AND_REASON.exec(match[2] as string)
    const rule = parts?.[1]
    const reason = parts?.[2]
    if (!rule) {
      invalid.push({
        line,
        column,
        message: 'names no rule. Write "-- mig:allow <rule>: <reason>", e.g. "-- mig:allow drop-column: unused since v2".',
      })
    } else if (!knownRules.has(rule)) {
      invalid.push({
        line,
        column,
        message: `names an unknown rule "${rule}". The rules are listed in docs/lint.md of the mig repository.`,
      })
    } else if (!reason) {
      invalid.push({ line, column, message: `allows ${rule} without a reason. Say why it is safe: "-- mig:allow ${rule}: <reason>".` })
    } else {
      suppressions.push({ rule, reason, line, scope: line < upLine ? 'file' : 'statement' })
    }
  })
  return { suppressions, invalid }
}
