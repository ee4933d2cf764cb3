import type { LintMigration } from '@mig/lint'

/** A case of the shared lint-cases folder: a setup migration, the migrations under test, and what is expected. */
export interface LintCase {
  readonly name: string
  /** The rule of the tool the case comes from (squawk's rule name). */
  readonly rule: string
  /** On tables that exist before the plan: `flag` or `pass`. */
  readonly expect: 'flag' | 'pass'
  /** When the setup runs in the same plan; absent when the case does not say. */
  readonly samePlan: 'flag' | 'pass' | undefined
  readonly tier: 'required' | 'extra'
  readonly migrations: readonly LintMigration[]
}

/**
 * Reads a case file: header comments (`-- rule: …`, `-- expect: …`, …), then `-- @@ 0001`,
 * `-- @@ 0002`, … each starting a migration. A `-- mig:no-transaction` line in a migration moves
 * to its header, where mig's file format wants it.
 */
export function readLintCase(name: string, text: string): LintCase {
  const header = (key: string) => new RegExp(`^-- ${key}: *(.+)$`, 'm').exec(text)?.[1]?.trim()
  const parts = text.split(/^-- @@ (\d+)\s*$/m)
  const migrations: LintMigration[] = []
  for (let index = 1; index < parts.length; index += 2) {
    const version = Number(parts[index])
    const lines = (parts[index + 1] ?? '').split('\n')
    const outside = lines.some((line) => line.trim() === '-- mig:no-transaction')
    const body = lines.filter((line) => line.trim() !== '-- mig:no-transaction').join('\n')
    migrations.push({
      version,
      file: `${parts[index]}_${name.replace(/\.sql$/, '').replace(/[^a-z0-9]+/g, '_')}.sql`,
      text: `${outside ? '-- mig:no-transaction\n' : ''}-- mig:up\n${body}`,
    })
  }
  const expect = header('expect')
  const samePlan = header('same-plan')
  if (expect !== 'flag' && expect !== 'pass') throw new Error(`${name}: "-- expect:" must be flag or pass`)
  if (samePlan !== undefined && samePlan !== 'flag' && samePlan !== 'pass') throw new Error(`${name}: "-- same-plan:" must be flag or pass`)
  return {
    name,
    rule: header('rule') ?? '',
    expect,
    samePlan,
    tier: header('tier') === 'extra' ? 'extra' : 'required',
    migrations,
  }
}
