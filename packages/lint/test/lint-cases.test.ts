import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type LintResult, lintMigrations } from '@mig/lint'
import { describe, expect, it } from 'vitest'
import { type LintCase, readLintCase } from './lint-case-file.js'

/**
 * The shared cases live beside the repository (`../shared/lint-cases` from its root), or where
 * MIG_LINT_CASES points. CI always has them, so there a missing folder fails the run; on a
 * machine without them this file registers no tests (docs/lint.md says so).
 */
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url))
const casesFolder = process.env.MIG_LINT_CASES ?? resolve(repositoryRoot, '../shared/lint-cases')

/** squawk's rule names and the mig rules that cover each. */
const RULE_MAP: Record<string, readonly string[]> = {
  'adding-field-with-default': ['add-column-volatile-default'],
  'adding-foreign-key-constraint': ['add-foreign-key-without-not-valid'],
  'adding-not-nullable-field': ['set-not-null'],
  'adding-required-field': ['add-column-not-null-without-default'],
  'adding-serial-primary-key-field': ['add-primary-key-without-index', 'add-column-volatile-default'],
  'ban-concurrent-index-creation-in-transaction': ['needs-no-transaction'],
  'ban-drop-column': ['drop-column'],
  'ban-drop-database': ['drop-database'],
  'ban-drop-table': ['drop-table'],
  'ban-truncate-cascade': ['truncate-cascade'],
  'changing-column-type': ['change-column-type'],
  'constraint-missing-not-valid': ['add-check-without-not-valid', 'add-foreign-key-without-not-valid'],
  'disallowed-unique-constraint': ['add-unique-without-index'],
  'prefer-repack': ['vacuum-full-or-cluster'],
  'renaming-column': ['rename-column'],
  'renaming-table': ['rename-table'],
  'require-concurrent-index-creation': ['index-without-concurrently'],
  'require-concurrent-index-deletion': ['drop-index-without-concurrently'],
  'require-concurrent-partition-detach': ['detach-partition-without-concurrently'],
  'require-concurrent-reindex': ['reindex-without-concurrently'],
}

function readCases(): LintCase[] {
  return readdirSync(casesFolder, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => readLintCase(file, readFileSync(join(casesFolder, file), 'utf8')))
}

/** Lints the case's migrations after the first (`existing`: the first is applied) or all of them (`same-plan`). */
function lintCase(testCase: LintCase, setup: 'existing' | 'same-plan'): Promise<LintResult> {
  const versions = testCase.migrations.map((migration) => migration.version)
  return lintMigrations({
    dialect: 'postgres',
    migrations: testCase.migrations,
    scope: { kind: 'plan', pending: setup === 'existing' ? versions.slice(1) : versions },
  })
}

function outcome(testCase: LintCase, result: LintResult): { flagged: boolean; rules: string[] } {
  const rules = result.findings.map((finding) => finding.rule)
  const mapped = RULE_MAP[testCase.rule] ?? []
  return { flagged: rules.some((rule) => mapped.includes(rule)), rules }
}

if (!existsSync(casesFolder)) {
  if (process.env.CI) {
    describe('the shared lint cases', () => {
      it('are present beside the repository in CI', () => {
        expect.fail(`No lint cases at ${casesFolder}: CI checks out shared/ beside the repository, or set MIG_LINT_CASES.`)
      })
    })
  }
} else {
  const cases = readCases()

  describe('the shared lint cases (squawk examples)', () => {
    it('are all read, and every squawk rule in them maps to mig rules', () => {
      expect(cases.length).toBeGreaterThan(50)
      expect(cases.filter((testCase) => !RULE_MAP[testCase.rule]).map((testCase) => testCase.name)).toEqual([])
    })

    it.each(
      cases.map((testCase) => [testCase.name, testCase] as const),
    )('%s on a table that exists before the plan', async (_, testCase) => {
      const { flagged, rules } = outcome(testCase, await lintCase(testCase, 'existing'))
      if (testCase.expect === 'flag') expect(flagged, `findings: ${rules.join(', ') || 'none'}`).toBe(true)
      else expect(rules).toEqual([])
    })

    const samePlan = cases.filter((testCase) => testCase.samePlan !== undefined)
    it.each(
      samePlan.map((testCase) => [testCase.name, testCase] as const),
    )('%s on a table created in the same plan', async (_, testCase) => {
      const { flagged, rules } = outcome(testCase, await lintCase(testCase, 'same-plan'))
      if (testCase.samePlan === 'flag') expect(flagged, `findings: ${rules.join(', ') || 'none'}`).toBe(true)
      else expect(rules).toEqual([])
    })
  })
}
