export interface OptionDefinition {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  /** Shown in help as `--name <placeholder>`. */
  readonly placeholder?: string
  readonly description: string
}

/** Options that may stand before or after the command name; each command names those it reads. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string', placeholder: 'url', description: 'Database URL: sqlite:./app.db, sqlite::memory:, postgres://user@host/db' },
  dir: { type: 'string', placeholder: 'folder', description: 'Migrations folder (default: migrations)' },
  table: { type: 'string', placeholder: 'name', description: 'History table (default: mig_migrations)' },
  schema: { type: 'string', placeholder: 'name', description: 'PostgreSQL schema of the history table' },
  config: { type: 'string', placeholder: 'file', description: 'Config file (default: nearest mig.config.* upward)' },
  'env-file': {
    type: 'string',
    placeholder: 'file',
    description: 'Read variables from this file instead of ./.env (the real environment still wins)',
  },
  'lock-wait': { type: 'string', placeholder: 'seconds', description: "Wait this long for another run's migration lock (default: 60)" },
  'lock-timeout': { type: 'string', placeholder: 'seconds', description: 'The former name of --lock-wait' },
  'allow-out-of-order': { type: 'boolean', description: 'Apply pending migrations older than the newest applied one' },
  'single-transaction': {
    type: 'boolean',
    description: 'One transaction for the whole run, all of it or none (not with -- mig:no-transaction migrations)',
  },
  lock: {
    type: 'string',
    placeholder: 'kind',
    description:
      'PostgreSQL migration lock: auto (default: advisory on a direct connection, lease through PgBouncer or a proxy), advisory, lease',
  },
  'table-lock-timeout': {
    type: 'string',
    placeholder: 'duration',
    description: "PostgreSQL lock_timeout for migration statements (default: 5s); a file's -- mig:lock-timeout wins",
  },
  json: { type: 'boolean', description: 'Print one JSON document on stdout' },
  'no-color': { type: 'boolean', description: 'No colours (also: NO_COLOR=1)' },
  help: { type: 'boolean', short: 'h', description: 'Show help' },
  version: { type: 'boolean', short: 'v', description: "Print mig's version" },
} satisfies Readonly<Record<string, OptionDefinition>>

export type GlobalOptionName = keyof typeof GLOBAL_OPTIONS

/** Accepted by every command. */
export const UNIVERSAL_OPTIONS: readonly GlobalOptionName[] = ['json', 'no-color', 'help', 'version']
