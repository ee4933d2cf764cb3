import { join, relative } from 'node:path'
import type { LintFinding, LintResult } from '@mig/lint'
import { plural } from '../format.js'
import type { Output } from '../output.js'

/** How a finding's file is shown: relative to the working directory, as editors and CI expect. */
export function findingPath(finding: LintFinding, directory: string, workingDirectory: string): string {
  return relative(workingDirectory, join(directory, finding.file)) || finding.file
}

/** `path:line:column level rule: finding`, then the recipe, indented. */
export function formatFinding(output: Output, finding: LintFinding, path: string): string[] {
  const { red, yellow, dim, bold } = output.colours
  const level = finding.level === 'error' ? red('error') : yellow('warning')
  const lines = [`${bold(`${path}:${finding.line}:${finding.column}`)} ${level} ${finding.rule}: ${finding.message}`]
  if (finding.recipe) lines.push(...finding.recipe.split('\n').map((line) => dim(`    ${line}`)))
  return lines
}

/** GitHub workflow commands: each finding becomes an annotation on the pull request's diff. */
export function githubAnnotation(finding: LintFinding, path: string): string {
  const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
  const body = finding.recipe ? `${finding.message}\n\nInstead:\n${finding.recipe}` : finding.message
  return `::${finding.level} file=${escapeProperty(path)},line=${finding.line},col=${finding.column},title=${escapeProperty(`mig lint: ${finding.rule}`)}::${escapeData(body)}`
}

export function lintSummary(result: LintResult): string {
  const counts =
    result.errors || result.warnings ? `${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')}` : 'No findings'
  const allowed = result.allowed.length ? ` (${result.allowed.length} allowed by -- mig:allow)` : ''
  const skipped = result.skipped.length
    ? ` ${plural(result.skipped.length, 'code migration')} not linted: ${result.skipped.join(', ')}.`
    : ''
  return `${counts} in ${plural(result.linted, 'migration')}${allowed}.${skipped}`
}

export function findingToJson(finding: LintFinding, path: string): Record<string, unknown> {
  return { ...finding, path, allowedBecause: finding.allowedBecause ?? null }
}
