import type { Colours } from './colours.js'
import { COMMANDS, type CommandDefinition, globalOptionsOf } from './command-definitions.js'
import { formatTable, visibleLength } from './format.js'
import { GLOBAL_OPTIONS, type OptionDefinition } from './option-definitions.js'

export function generalHelp(colours: Colours): string {
  const { bold } = colours
  return [
    `${bold('mig')}: SQL-first database migrations for SQLite and PostgreSQL`,
    '',
    `${bold('Usage:')} mig <command> [options]`,
    '',
    bold('Commands:'),
    ...formatTable(
      COMMANDS.map((command) => [`  ${command.name}`, command.summary]),
      visibleLength,
    ),
    '',
    bold('Global options:'),
    ...optionLines(GLOBAL_OPTIONS),
    '',
    bold('Environment:'),
    '  MIG_DATABASE_URL, then DATABASE_URL   database URL (--url wins)',
    '  MIG_DIR, MIG_TABLE, MIG_SCHEMA         as --dir, --table, --schema',
    '  MIG_LOCK_WAIT                          as --lock-wait, in seconds (formerly MIG_LOCK_TIMEOUT)',
    '  MIG_ALLOW_OUT_OF_ORDER=1               as --allow-out-of-order',
    '  MIG_SINGLE_TRANSACTION=1               as --single-transaction',
    '  MIG_LOCK, MIG_TABLE_LOCK_TIMEOUT       as --lock, --table-lock-timeout',
    '  MIG_PLACEHOLDER_<name>                 the value of placeholder <name> (docs/migration-format.md)',
    '  NO_COLOR                               no colours',
    '',
    bold('Exit codes:'),
    '  0 success   1 migration failed (or lint error, drift found, mig test failed)   2 usage or configuration error   3 validation failed',
    '  4 lock timeout   5 pending migrations (status --exit-code)   6 database error   7 database not ready in time (mig wait)',
    '  130 SIGINT   143 SIGTERM',
    '',
    'Run mig help <command> for a command, mig completion bash|zsh|fish for shell completion.',
    'Full reference: docs/cli.md in the mig repository.',
  ].join('\n')
}

export function commandHelp(command: CommandDefinition, colours: Colours): string {
  const { bold } = colours
  const lines = [`${bold('Usage:')} mig ${command.usage}`, '', command.summary]
  if (Object.keys(command.options).length) lines.push('', bold('Options:'), ...optionLines(command.options))
  // Only the global options this command reads, and those every command takes.
  lines.push('', bold('Global options:'), ...optionLines(globalOptionsOf(command)))
  lines.push('', bold('Examples:'), ...command.examples.map((example) => `  ${example}`))
  return lines.join('\n')
}

function optionLines(options: Readonly<Record<string, OptionDefinition>>): string[] {
  return formatTable(
    Object.entries(options).map(([name, option]) => [
      `  ${option.short ? `-${option.short}, ` : ''}--${name}${option.placeholder ? ` <${option.placeholder}>` : ''}`,
      option.description,
    ]),
    visibleLength,
  )
}
