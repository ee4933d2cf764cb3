import { FLEET_OPTIONS } from './fleet-option-definitions.js'
import { GLOBAL_OPTIONS, type GlobalOptionName, type OptionDefinition, UNIVERSAL_OPTIONS } from './option-definitions.js'

export type CommandName =
  | 'init'
  | 'create'
  | 'up'
  | 'plan'
  | 'down'
  | 'redo'
  | 'status'
  | 'validate'
  | 'baseline'
  | 'repair'
  | 'renumber'
  | 'hash'
  | 'dump'
  | 'drift'
  | 'test'
  | 'lint'
  | 'wait'
  | 'db'
  | 'completion'
  | 'version'
  | 'help'

export interface CommandDefinition {
  readonly name: CommandName
  /** `mig up [options]`, without the `mig `. */
  readonly usage: string
  readonly summary: string
  readonly options: Readonly<Record<string, OptionDefinition>>
  /**
   * The global options the command reads, listed in its help and accepted on its command line;
   * `--json`, `--no-color`, `--help` and `--version` are accepted by every command besides.
   */
  readonly globalOptions: readonly GlobalOptionName[]
  /** Words the first positional argument may be (`db create`, `completion bash`), for help and shell completion. */
  readonly subcommands?: readonly string[]
  /** How many positional arguments the command takes, at most. */
  readonly maxPositionals: number
  /** Whether it opens the database (and so needs a URL). */
  readonly usesDatabase: boolean
  /** Whether it runs migrations, which a stop signal then lets finish or rolls back; any other command's work is simply stopped. */
  readonly runsMigrations?: boolean
  readonly examples: readonly string[]
}

/** Where the database is: the URL, or the config file or env file that names it. */
const CONNECTION: readonly GlobalOptionName[] = ['url', 'config', 'env-file']
/** What a command that reads migrations and history needs. */
const HISTORY: readonly GlobalOptionName[] = [...CONNECTION, 'dir', 'table', 'schema']
/** What a command that takes the migration lock needs besides. */
const LOCKING: readonly GlobalOptionName[] = ['lock-wait', 'lock-timeout', 'lock']
/** Everything: the commands that apply or revert migrations. */
const RUNNING: readonly GlobalOptionName[] = [...HISTORY, ...LOCKING, 'allow-out-of-order', 'single-transaction', 'table-lock-timeout']

const verbose: OptionDefinition = { type: 'boolean', description: 'Print each piece of SQL on stderr as it is sent' }

const dryRun: OptionDefinition = {
  type: 'boolean',
  description: 'Print the plan and its SQL; write nothing, not even the history table',
}

import { SCHEMA_COMMANDS } from './schema-command-definitions.js'

export const COMMANDS: readonly CommandDefinition[] = [
  {
    name: 'init',
    usage: 'init [--ts]',
    summary: 'Write mig.config.json and create the migrations folder',
    options: { ts: { type: 'boolean', description: 'Write mig.config.ts instead of mig.config.json' } },
    globalOptions: ['url', 'dir', 'env-file'],
    maxPositionals: 0,
    usesDatabase: false,
    examples: ['mig init', 'mig init --ts --url postgres://app@localhost:5432/app'],
  },
  {
    name: 'create',
    usage: 'create <name> [--timestamp | --sequential] [--ts | --js] [--from-schema <file>]',
    summary: 'Create the next migration file',
    options: {
      'from-schema': {
        type: 'string',
        placeholder: 'file',
        description:
          'Turn a hand-applied schema file into this migration, with a derived down (needs a database URL for the dialect; the database itself is not touched)',
      },
      timestamp: { type: 'boolean', description: 'Version the file with the UTC time (YYYYMMDDHHMMSS) instead of the next number' },
      sequential: { type: 'boolean', description: 'Version the file with the next number, when the config says "versions": "timestamp"' },
      ts: { type: 'boolean', description: 'A TypeScript code migration (.ts) instead of SQL' },
      js: { type: 'boolean', description: 'A JavaScript code migration (.mjs) instead of SQL' },
    },
    globalOptions: [...CONNECTION, 'dir'],
    maxPositionals: 1,
    usesDatabase: false,
    examples: [
      'mig create add_users',
      'mig create backfill_emails --ts',
      'mig create add_index --timestamp',
      'mig create initial_schema --from-schema schema.sql',
    ],
  },
  {
    name: 'up',
    usage: 'up [--to <version> | --step <n>] [--verbose] [--dry-run | --fleet [fleet options]]',
    summary: 'Apply pending migrations',
    options: {
      to: { type: 'string', placeholder: 'version', description: 'Apply up to and including this version' },
      step: { type: 'string', placeholder: 'n', description: 'Apply at most n migrations' },
      'dry-run': dryRun,
      verbose,
      'no-lint': {
        type: 'boolean',
        description: 'Apply even if lint finds errors in pending migrations (also: "lint": false in the config)',
      },
      ...FLEET_OPTIONS,
    },
    globalOptions: RUNNING,
    maxPositionals: 0,
    usesDatabase: true,
    runsMigrations: true,
    examples: [
      'mig up',
      'mig up --to 3',
      'mig up --step 1 --dry-run',
      'mig up --no-lint',
      'mig up --verbose',
      "mig up --fleet --targets 'sqlite:./tenants/*.db' --concurrency 8",
      "mig up --fleet --url postgres://app@db/app --schemas 'tenant_*' --canary 5 --keep-going",
    ],
  },
  {
    name: 'plan',
    usage: 'plan [--to <version> | --step <n>] [--no-lint]',
    summary: 'Show what up would apply, with its SQL and lint findings beside each migration; write nothing (as up --dry-run)',
    options: {
      to: { type: 'string', placeholder: 'version', description: 'Plan up to and including this version' },
      step: { type: 'string', placeholder: 'n', description: 'Plan at most n migrations' },
      'no-lint': { type: 'boolean', description: 'Leave out the lint findings (also: "lint": false in the config)' },
    },
    globalOptions: [...HISTORY, 'allow-out-of-order', 'single-transaction'],
    maxPositionals: 0,
    usesDatabase: true,
    examples: ['mig plan', 'mig plan --to 3', 'mig plan --json'],
  },
  {
    name: 'down',
    usage:
      'down [--step <n> | --to <version> | --all | --missing [--include-renumbered]] [--verbose] [--dry-run | --fleet --to <version> [fleet options]]',
    summary: 'Roll back applied migrations (default: the newest one)',
    options: {
      step: { type: 'string', placeholder: 'n', description: 'Roll back the newest n migrations' },
      to: { type: 'string', placeholder: 'version', description: 'Roll back every migration newer than this version (0: all)' },
      all: { type: 'boolean', description: 'Roll back every applied migration' },
      missing: { type: 'boolean', description: 'Roll back the applied migrations whose files are gone, with the down SQL recorded' },
      'include-renumbered': { type: 'boolean', description: 'With --missing: also those renumbered since applied (own database)' },
      'dry-run': dryRun,
      verbose,
      ...FLEET_OPTIONS,
    },
    globalOptions: RUNNING,
    maxPositionals: 0,
    usesDatabase: true,
    runsMigrations: true,
    examples: [
      'mig down',
      'mig down --step 2',
      'mig down --to 3',
      'mig down --all --dry-run',
      'mig down --missing',
      'mig down --verbose',
      "mig down --fleet --targets 'sqlite:./tenants/*.db' --to 3",
    ],
  },
  {
    name: 'redo',
    usage: 'redo [--verbose]',
    summary: 'Roll back the newest migration and apply it again',
    options: { verbose },
    globalOptions: RUNNING,
    maxPositionals: 0,
    usesDatabase: true,
    runsMigrations: true,
    examples: ['mig redo'],
  },
  {
    name: 'status',
    usage: 'status [--exit-code] [--fleet [fleet options]]',
    summary: 'List every migration and its state',
    options: {
      'exit-code': {
        type: 'boolean',
        description: 'Exit 5 when migrations are pending, 3 when history and files disagree',
      },
      ...FLEET_OPTIONS,
    },
    globalOptions: [...HISTORY, 'allow-out-of-order'],
    maxPositionals: 0,
    usesDatabase: true,
    examples: ['mig status', 'mig status --exit-code', 'mig status --json', "mig status --fleet --targets 'sqlite:./tenants/*.db'"],
  },
  {
    name: 'validate',
    usage: 'validate [--fleet [fleet options]]',
    summary: 'Check history against the files and that every pending migration loads',
    options: { ...FLEET_OPTIONS },
    globalOptions: [...HISTORY, 'allow-out-of-order'],
    maxPositionals: 0,
    usesDatabase: true,
    examples: ['mig validate'],
  },
  {
    name: 'baseline',
    usage: 'baseline [--to <version>] [--force]',
    summary: 'Adopt an existing database: record migrations as applied without running them',
    options: {
      to: {
        type: 'string',
        placeholder: 'version',
        description: 'The newest migration the database already has (default: found by schema)',
      },
      force: { type: 'boolean', description: 'Record the baseline without comparing schemas (needs --to)' },
    },
    globalOptions: [...HISTORY, ...LOCKING],
    maxPositionals: 0,
    usesDatabase: true,
    examples: ['mig baseline', 'mig baseline --to 5', 'mig baseline --to 5 --force'],
  },
  {
    name: 'repair',
    usage: 'repair [<version>] --applied | --rolled-back | --accept-checksum | --forget, or repair <repeatable> --forget',
    summary: 'Resolve one history problem explicitly, after checking the database by hand',
    options: {
      applied: { type: 'boolean', description: 'A migration that failed part-way is complete: mark it applied' },
      'rolled-back': { type: 'boolean', description: 'A migration that failed part-way is undone: make it pending again' },
      'accept-checksum': { type: 'boolean', description: 'An applied file was edited harmlessly: record its new checksum' },
      forget: {
        type: 'boolean',
        description: 'An applied file (or a repeatable one, by name) was removed on purpose: drop it from history',
      },
    },
    globalOptions: [...HISTORY, ...LOCKING],
    maxPositionals: 1,
    usesDatabase: true,
    examples: [
      'mig repair --applied',
      'mig repair 7 --rolled-back',
      'mig repair 3 --accept-checksum',
      'mig repair 4 --forget',
      'mig repair views --forget',
    ],
  },
  {
    name: 'renumber',
    usage: 'renumber [<file> ...] [--dry-run]',
    summary: 'Give migrations not applied to the database versions after the newest, renaming their files (after a merge)',
    options: {
      'dry-run': { type: 'boolean', description: 'Print what would be renamed; rename nothing' },
    },
    globalOptions: HISTORY,
    maxPositionals: Number.POSITIVE_INFINITY,
    usesDatabase: true,
    examples: ['mig renumber --dry-run', 'mig renumber', 'mig renumber migrations/0005_add_tags.sql'],
  },
  {
    name: 'hash',
    usage: 'hash',
    summary: 'Write migrations/mig.sum: the checksum of every migration file, so that clashing branches conflict in git',
    options: {},
    globalOptions: ['config', 'env-file', 'dir'],
    maxPositionals: 0,
    usesDatabase: false,
    examples: ['mig hash'],
  },
  ...SCHEMA_COMMANDS,
  {
    name: 'lint',
    usage: 'lint [<file> ...] [--all] [--format human|github] [--dialect postgres|sqlite]',
    summary: 'Check pending migrations for statements that lock busy tables or break the running app, with the safe recipe',
    options: {
      all: { type: 'boolean', description: 'Lint every migration, each as if it were the only one pending (no database needed)' },
      format: { type: 'string', placeholder: 'format', description: 'human (default) or github (annotations on a pull request)' },
      dialect: { type: 'string', placeholder: 'dialect', description: 'postgres or sqlite, when no database URL says which' },
    },
    globalOptions: HISTORY,
    maxPositionals: Number.POSITIVE_INFINITY,
    usesDatabase: true,
    examples: [
      'mig lint',
      'mig lint --all --format github',
      'mig lint migrations/0007_add_index.sql',
      'mig lint --all --dialect postgres --json',
    ],
  },
  {
    name: 'wait',
    usage: 'wait [--timeout <seconds>]',
    summary: 'Wait until the database accepts connections (for containers that start together)',
    options: {
      timeout: { type: 'string', placeholder: 'seconds', description: 'Give up after this long, with exit code 7 (default: 60)' },
    },
    globalOptions: CONNECTION,
    maxPositionals: 0,
    usesDatabase: true,
    examples: ['mig wait', 'mig wait --timeout 120 && mig up'],
  },
  {
    name: 'db',
    usage: 'db create | db drop --yes',
    summary: 'Create the database the URL names if it is missing, or drop it (for development)',
    options: { yes: { type: 'boolean', description: 'Confirm mig db drop: it deletes the database and everything in it' } },
    globalOptions: CONNECTION,
    subcommands: ['create', 'drop'],
    maxPositionals: 1,
    usesDatabase: true,
    examples: ['mig db create', 'mig db create && mig up', 'mig db drop --yes'],
  },
  {
    name: 'completion',
    usage: 'completion bash | zsh | fish',
    summary: 'Print a shell completion script for mig',
    options: {},
    globalOptions: [],
    subcommands: ['bash', 'zsh', 'fish'],
    maxPositionals: 1,
    usesDatabase: false,
    examples: [
      'mig completion bash > ~/.local/share/bash-completion/completions/mig',
      'mig completion fish > ~/.config/fish/completions/mig.fish',
    ],
  },
  {
    name: 'version',
    usage: 'version',
    summary: "Print mig's version (as --version does)",
    options: {},
    globalOptions: [],
    maxPositionals: 0,
    usesDatabase: false,
    examples: ['mig version', 'mig version --json'],
  },
  {
    name: 'help',
    usage: 'help [<command> [<subcommand>]]',
    summary: 'Show help for mig or for one command',
    options: {},
    globalOptions: [],
    maxPositionals: 2,
    usesDatabase: false,
    examples: ['mig help', 'mig help down'],
  },
]

/** The global options a command accepts: those it reads and those every command takes, in the order of {@link GLOBAL_OPTIONS}. */
export function globalOptionsOf(command: CommandDefinition): Readonly<Record<string, OptionDefinition>> {
  const accepted = new Set([...command.globalOptions, ...UNIVERSAL_OPTIONS])
  return Object.fromEntries(Object.entries(GLOBAL_OPTIONS).filter(([name]) => accepted.has(name as GlobalOptionName)))
}

export function findCommand(name: string): CommandDefinition | undefined {
  return COMMANDS.find((command) => command.name === name)
}
