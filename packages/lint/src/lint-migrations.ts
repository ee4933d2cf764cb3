import type { MigrationVersion } from '@mig/core'
import { parseMigrationFile } from '@mig/core'
import type { DialectLinter } from './dialect-linter.js'
import { SectionPositions } from './file-position.js'
import { type LintConfig, resolveRuleLevels } from './lint-config.js'
import type { LintFinding, LintResult } from './lint-finding.js'
import type { LintDialect } from './lint-rule.js'
import { INVALID_ALLOW, RULES } from './rule-catalog.js'
import { SchemaState } from './schema-state.js'
import { clientOnlyIn, sectionFindings, suppressionFor } from './section-findings.js'
import { readSuppressions } from './suppression.js'

/** A migration to lint or to learn the schema from. */
export interface LintMigration {
  readonly version: MigrationVersion
  readonly file: string
  /** The file's text; undefined for a code migration (`.ts`, `.js`), whose SQL lint cannot see. */
  readonly text: string | undefined
  /** A repeatable migration (`repeatable/views.sql`, version 0): it runs after every versioned one, in name order. */
  readonly repeatable?: boolean
  /**
   * Set when `text` is not the file as written (placeholders were filled, see core's
   * `substituteFileText`): the file as written, and where an offset into `text` falls in it.
   * Findings then name the line and column of the file as written.
   */
  readonly written?: { readonly text: string; readonly offsetOf: (offset: number) => number }
}

/**
 * `plan`: the `pending` versions, then the due `repeatables` (by file), run as one plan after
 * every other migration, so a table the plan creates is new to every later statement of the plan.
 * `each`: every migration (or only those in `versions` and `repeatables`) as if it were the only
 * one pending, after the migrations before it; what `mig lint --all` does, so the history still
 * gets findings. A repeatable migration comes after every versioned one.
 */
export type LintScope =
  | { readonly kind: 'plan'; readonly pending: readonly MigrationVersion[]; readonly repeatables?: readonly string[] }
  | { readonly kind: 'each'; readonly versions?: readonly MigrationVersion[]; readonly repeatables?: readonly string[] }

export interface LintOptions {
  readonly dialect: LintDialect
  /** Every migration, applied and pending, in any order. */
  readonly migrations: readonly LintMigration[]
  readonly scope: LintScope
  readonly config?: LintConfig
}

/**
 * Lints migrations before they run. Walks them in version order, learning from each statement
 * which tables, columns and indexes exist and which the plan itself created, and reports what
 * each enabled rule finds, minus what `-- mig:allow <rule>: <reason>` lines allow. Loads the
 * dialect's parser only when there is something to lint. Throws `InvalidMigrationError` for a
 * file the runner would refuse too, and `LintConfigError` for an unknown rule or level.
 */
export async function lintMigrations(options: LintOptions): Promise<LintResult> {
  const levels = resolveRuleLevels(options.config)
  const rules = RULES.filter((rule) => rule.dialect === options.dialect && levels.get(rule.id) !== 'off')
  const { scope } = options
  const versioned = options.migrations
    .filter((migration) => !migration.repeatable)
    .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
  const repeatables = options.migrations.filter((migration) => migration.repeatable).sort((a, b) => (a.file < b.file ? -1 : 1))
  const ordered = [...versioned, ...repeatables]
  const everything = scope.kind === 'each' && !scope.versions && !scope.repeatables
  const versions = new Set(scope.kind === 'plan' ? scope.pending : scope.versions)
  const repeatableFiles = new Set(scope.repeatables)
  const selected = (migration: LintMigration) =>
    everything || (migration.repeatable ? repeatableFiles.has(migration.file) : versions.has(migration.version))
  const findings: LintFinding[] = []
  const allowed: LintFinding[] = []
  const skipped: string[] = []
  let linted = 0
  if (!ordered.some(selected)) return summarise(findings, allowed, linted, skipped)

  const linter = await dialectLinter(options.dialect)
  const state = new SchemaState()
  const known = new Set([...levels.keys()])

  const walk = async (migration: LintMigration, startsPlan: boolean, lint: boolean) => {
    state.beginMigration(startsPlan)
    if (migration.text === undefined) {
      if (lint) skipped.push(migration.file)
      return
    }
    const scripts = parseMigrationFile(migration.file, migration.text, migration.repeatable ? 'repeatable' : 'versioned')
    if (scripts.up.kind !== 'sql') return
    const positions = new SectionPositions(scripts.up.sql, scripts.up.line)
    const section = await linter.lintSection(scripts.up.sql, scripts.transaction, state, lint ? rules : [], positions)
    if (!lint) return
    linted++
    const { suppressions, invalid } = readSuppressions(migration.text, scripts.up.line - 1, known)
    const at = { file: migration.file, version: migration.version }
    const asWritten = writtenPositions(migration)
    for (const problem of invalid) {
      findings.push(
        asWritten({
          rule: INVALID_ALLOW,
          level: 'error',
          ...at,
          line: problem.line,
          column: problem.column,
          message: `This -- mig:allow line ${problem.message}`,
          recipe: '',
        }),
      )
    }
    const clientOnly = await clientOnlyIn(options.dialect, scripts.up.sql)
    for (const finding of sectionFindings(section, clientOnly, positions, at, levels)) {
      const suppression = suppressionFor(finding, suppressions)
      if (suppression) allowed.push({ ...asWritten(finding.finding), allowedBecause: suppression.reason })
      else findings.push(asWritten(finding.finding))
    }
  }

  if (scope.kind === 'plan') {
    for (const migration of ordered) if (!selected(migration)) await walk(migration, false, false)
    let first = true
    for (const migration of ordered) {
      if (!selected(migration)) continue
      await walk(migration, first, true)
      first = false
    }
  } else {
    // Past the last selected migration there is nothing to learn.
    let left = ordered.filter(selected).length
    for (const migration of ordered) {
      if (left === 0) break
      if (selected(migration)) left--
      await walk(migration, true, selected(migration))
    }
  }
  return summarise(findings, allowed, linted, skipped)
}

/**
 * Moves a finding in a file whose placeholders were filled to the file as written; a finding
 * inside a placeholder's value to the placeholder. Suppressions are matched before, in the text linted.
 */
function writtenPositions(migration: LintMigration): (finding: LintFinding) => LintFinding {
  const { text, written } = migration
  if (text === undefined || !written) return (finding) => finding
  const filled = new SectionPositions(text, 1)
  const asWritten = new SectionPositions(written.text, 1)
  return (finding) => ({ ...finding, ...asWritten.at(written.offsetOf(filled.offsetAt(finding))) })
}

async function dialectLinter(dialect: LintDialect): Promise<DialectLinter> {
  if (dialect === 'postgres') return (await import('./postgres-linter.js')).postgresLinter
  return (await import('./sqlite-linter.js')).sqliteLinter
}

function summarise(findings: LintFinding[], allowed: LintFinding[], linted: number, skipped: string[]): LintResult {
  return {
    findings,
    allowed,
    linted,
    skipped,
    errors: findings.filter((finding) => finding.level === 'error').length,
    warnings: findings.filter((finding) => finding.level === 'warning').length,
  }
}
