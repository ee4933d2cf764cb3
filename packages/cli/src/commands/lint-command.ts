import { basename } from 'node:path'
import type { LintDialect, LintMigration, LintScope } from '@mig/lint'
import { configError, usageError } from '../cli-error.js'
import type { Command, CommandContext } from '../command-context.js'
import { stringFlag } from '../command-line.js'
import { dialectOfUrl, literalRangesOf } from '../dialect-registry.js'
import { ExitCode, errorCodeOf } from '../exit-codes.js'
import { resolveSettings, type Settings } from '../settings.js'
import { withMigrator } from '../with-migrator.js'
import { fillPlaceholders } from './lint-plan.js'
import { findingPath, findingToJson, formatFinding, githubAnnotation, lintSummary } from './lint-report.js'

/**
 * `mig lint`: the pending migrations when the database can say which they are; every migration
 * (each as if it were the only one pending) with `--all` or when it cannot; or the files named.
 */
export const lintCommand: Command = async (context) => {
  const { flags, positionals, environment, workingDirectory, output } = context
  const settings = await resolveSettings(flags, environment, workingDirectory)
  const format = stringFlag(flags, 'format') ?? 'human'
  if (format !== 'human' && format !== 'github') throw usageError(`--format must be human or github, not "${format}".`)
  const dialect = dialectOf(stringFlag(flags, 'dialect'), settings)
  const { lintMigrations, readLintMigrations } = await import('@mig/lint')
  const written = await readLintMigrations(settings.directory)
  // As `up` runs them: with their values filled, when the configuration gives placeholders.
  const migrations = settings.placeholders
    ? await fillPlaceholders(written, settings.placeholders, await literalRangesOf(dialect))
    : written
  const scope = positionals.length
    ? namedScope(positionals, migrations)
    : flags.all || !settings.url
      ? { kind: 'each' as const }
      : await pendingScope(context)
  const result = await lintMigrations({ dialect, migrations, scope, config: settings.lint || undefined })
  const path = (finding: (typeof result.findings)[number]) => findingPath(finding, settings.directory, workingDirectory)
  for (const finding of result.findings) {
    if (format === 'github') output.line(githubAnnotation(finding, path(finding)))
    else for (const line of formatFinding(output, finding, path(finding))) output.line(line)
  }
  if (format === 'human' && result.findings.length) output.line()
  output.line(lintSummary(result))
  return {
    document: {
      dialect,
      scope: positionals.length ? 'files' : scope.kind === 'plan' ? 'pending' : 'all',
      findings: result.findings.map((finding) => findingToJson(finding, path(finding))),
      allowed: result.allowed.map((finding) => findingToJson(finding, path(finding))),
      linted: result.linted,
      skipped: result.skipped,
      errors: result.errors,
      warnings: result.warnings,
    },
    exitCode: result.errors ? ExitCode.migrationFailed : ExitCode.success,
  }
}

function dialectOf(given: string | undefined, settings: Settings): LintDialect {
  if (given === 'postgres' || given === 'sqlite') return given
  if (given !== undefined) throw usageError(`--dialect must be postgres or sqlite, not "${given}".`)
  if (!settings.url) {
    throw configError(
      'mig lint needs to know the dialect: pass --dialect postgres or --dialect sqlite, or give a database URL (--url, MIG_DATABASE_URL, or "url" in mig.config.json).',
    )
  }
  return dialectOfUrl(settings.url) as LintDialect
}

/** The files named on the command line: `0003_x.sql` or a path to it, `repeatable/views.sql` for a repeatable one. */
function namedScope(files: readonly string[], migrations: readonly LintMigration[]): LintScope {
  const named = files.map((file) => {
    const repeatable = /(?:^|[\\/])(repeatable[\\/][^\\/]+)$/.exec(file)?.[1]?.replace('\\', '/')
    const migration = migrations.find((candidate) =>
      repeatable ? candidate.repeatable && candidate.file === repeatable : !candidate.repeatable && candidate.file === basename(file),
    )
    if (!migration) {
      throw usageError(
        `${file} is not a migration in the migrations folder. Name a file of it, e.g. mig lint ${migrations[0]?.file ?? '0001_create_users.sql'}.`,
      )
    }
    return migration
  })
  return {
    kind: 'each',
    versions: named.filter((migration) => !migration.repeatable).map((migration) => migration.version),
    repeatables: named.filter((migration) => migration.repeatable).map((migration) => migration.file),
  }
}

/** The pending versions and the new or changed repeatable migrations, asked of the database; every migration when it cannot be reached. */
async function pendingScope(context: CommandContext): Promise<LintScope> {
  try {
    const { migrations, repeatables } = await withMigrator(
      context,
      { loadsCode: false, reportsProgress: false, access: 'read-only' },
      (migrator) => migrator.overview(),
    )
    return {
      kind: 'plan',
      pending: migrations.filter((status) => status.state === 'pending').map((status) => status.version),
      repeatables: repeatables.filter((status) => status.state === 'new' || status.state === 'changed').map((status) => status.file),
    }
  } catch (error) {
    const code = errorCodeOf(error)
    if (code !== 'MIG_DATABASE_ERROR' && code !== 'MIG_DIALECT_MISSING') throw error
    context.output.note(
      `Could not ask the database which migrations are pending (${(error as Error).message.split('\n')[0]}); linting every migration.`,
    )
    return { kind: 'each' }
  }
}
