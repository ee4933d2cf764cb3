import type { ClientOnlyStatement, MigrationVersion } from '@mig/core'
import type { SectionLint } from './dialect-linter.js'
import { driverDialectText } from './driver-dialect-text.js'
import type { SectionPositions } from './file-position.js'
import type { LintFinding } from './lint-finding.js'
import type { LintDialect } from './lint-rule.js'
import { CLIENT_ONLY, SYNTAX_ERROR } from './rule-catalog.js'
import type { Suppression } from './suppression.js'

export interface LocatedFinding {
  readonly finding: LintFinding
  /** File lines whose statement-scoped `-- mig:allow` lines cover the finding. */
  readonly zone: { readonly from: number; readonly to: number }
}

/** A statement only a client can run, as the driver's `clientOnly` names it, at its offset in the section. */
export interface ClientOnlyAt extends ClientOnlyStatement {
  readonly offset: number
}

type Place = { readonly file: string; readonly version: MigrationVersion }

/**
 * What mig refuses to run in a section because only a client can run it, by the dialect
 * driver's own `clientOnly`: none when PostgreSQL's driver package is not installed.
 */
export async function clientOnlyIn(dialect: LintDialect, sql: string): Promise<ClientOnlyAt[]> {
  const text = await driverDialectText(dialect)
  if (!text) return []
  return text.splitStatements(sql).flatMap((statement) => {
    const found = text.clientOnly(statement.text)
    return found ? [{ ...found, offset: statement.offset }] : []
  })
}

/**
 * A section's findings, located in its file: what only a client can run, else a section that
 * does not parse, then what the rules found. A client's command is what a parser stumbles on
 * (pg_dump's rows, a backslash), so it is named instead of the syntax error it causes.
 */
export function sectionFindings(
  section: SectionLint,
  clientOnly: readonly ClientOnlyAt[],
  positions: SectionPositions,
  at: Place,
  levels: ReadonlyMap<string, string>,
): LocatedFinding[] {
  const engineFinding = (rule: string, offset: number, message: string): LocatedFinding[] => {
    const level = levels.get(rule)
    if (level !== 'error' && level !== 'warning') return []
    const position = positions.at(offset)
    return [{ finding: { rule, level, ...at, ...position, message, recipe: '' }, zone: { from: 1, to: position.line } }]
  }
  const { syntaxError } = section
  const notLinted = syntaxError ? ' Nothing else in the migration was linted.' : ''
  const refused = clientOnly.flatMap((found) =>
    engineFinding(CLIENT_ONLY, found.offset, `${found.command} cannot run in a migration, and mig refuses it: ${found.fix}${notLinted}`),
  )
  if (syntaxError) {
    return clientOnly.length
      ? refused
      : engineFinding(SYNTAX_ERROR, syntaxError.offset, `The migration does not parse: ${syntaxError.message}. Nothing in it was linted.`)
  }
  const hits = section.hits.map(({ rule, hit, statementOffset, zone }): LocatedFinding => {
    const level = levels.get(rule) === 'warning' ? 'warning' : 'error'
    return {
      finding: { rule, level, ...at, ...positions.at(hit.offset ?? statementOffset), message: hit.message, recipe: hit.recipe },
      zone: { from: positions.at(zone.from).line, to: positions.at(zone.to).line },
    }
  })
  // In the order of the file; rules' findings keep theirs.
  return refused.length ? [...refused, ...hits].sort((a, b) => a.finding.line - b.finding.line) : hits
}

export function suppressionFor({ finding, zone }: LocatedFinding, suppressions: readonly Suppression[]): Suppression | undefined {
  return suppressions.find(
    (suppression) =>
      suppression.rule === finding.rule && (suppression.scope === 'file' || (suppression.line >= zone.from && suppression.line <= zone.to)),
  )
}
