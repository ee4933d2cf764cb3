import { LintConfigError } from './lint-errors.js'
import type { RuleLevel } from './lint-rule.js'
import { INVALID_ALLOW, RULE_DESCRIPTIONS } from './rule-catalog.js'

/** The `lint` entry of `mig.config.*`: levels by rule id; a rule not named keeps its default level. */
export interface LintConfig {
  readonly rules?: Readonly<Record<string, RuleLevel>>
}

const LEVELS: readonly RuleLevel[] = ['error', 'warning', 'off']

/** Every rule's level under `config`; refuses unknown rules and levels before anything is linted. */
export function resolveRuleLevels(config: LintConfig | undefined): Map<string, RuleLevel> {
  if (config !== undefined && (typeof config !== 'object' || config === null)) {
    throw new LintConfigError(
      `The lint config must be an object like { rules: { "drop-column": "error" } }, not ${JSON.stringify(config)}.`,
    )
  }
  const levels = new Map(RULE_DESCRIPTIONS.map((rule) => [rule.id, rule.defaultLevel]))
  for (const [id, level] of Object.entries(config?.rules ?? {})) {
    if (!levels.has(id)) {
      throw new LintConfigError(`lint.rules names an unknown rule "${id}". Rules: ${[...levels.keys()].join(', ')}.`)
    }
    if (id === INVALID_ALLOW)
      throw new LintConfigError(`lint.rules cannot change ${INVALID_ALLOW}: a -- mig:allow line must name a rule and a reason.`)
    if (!LEVELS.includes(level))
      throw new LintConfigError(`lint.rules["${id}"] must be "error", "warning" or "off", not ${JSON.stringify(level)}.`)
    levels.set(id, level)
  }
  return levels
}
