import type { LintConfig } from '@mig/lint'

/**
 * What a `mig.config.ts`, `.mjs`, `.js` or `.json` file holds. Flags and environment variables
 * take precedence over each key.
 */
export interface MigConfig {
  /** Database URL: `sqlite:./app.db` (relative to this file), `sqlite::memory:`, `postgres://…`. */
  readonly url?: string
  /** Migrations folder, relative to this file. Default `migrations`. */
  readonly dir?: string
  /** History table name. Default `mig_migrations`. */
  readonly table?: string
  /** PostgreSQL schema of the history table. */
  readonly schema?: string
  /** Seconds to wait for another run's migration lock before failing. Default 60. */
  readonly lockWait?: number
  /** @deprecated The former name of {@link lockWait}. */
  readonly lockTimeout?: number
  /** Apply pending migrations older than the newest applied one instead of refusing. */
  readonly allowOutOfOrder?: boolean
  /** Run everything one up or down applies in one transaction: all of it or none (transactionMode "single"). */
  readonly singleTransaction?: boolean
  /**
   * Levels of lint rules, e.g. `{ rules: { 'drop-column': 'error', 'prefer-bigint': 'warning' } }`;
   * `false` lets `mig up` apply migrations without linting them first. See docs/lint.md.
   */
  readonly lint?: false | LintConfig
  /** Write the schema to this file (relative to this file) after every up or down that changed something, as `mig dump` does. */
  readonly dump?: { readonly file: string }
  /**
   * The fleet `--fleet` runs on: database URLs and SQLite globs (`sqlite:./tenants/*.db`,
   * relative to this file), `@file` with one per line. See docs/fleet.md.
   */
  readonly targets?: readonly string[]
  /** PostgreSQL's migration lock: `auto` (default), `advisory` or `lease` (for PgBouncer in transaction mode). See docs/deploying.md. */
  readonly lock?: 'auto' | 'advisory' | 'lease'
  /** PostgreSQL `lock_timeout` for migration statements, e.g. `10s`. Default `5s`; a file's `-- mig:lock-timeout` wins. */
  readonly tableLockTimeout?: string
  /**
   * How `mig create` numbers new files and `mig renumber` renumbers them: `sequential` (`0007`,
   * the default) or `timestamp` (`20261130121500`, the UTC time). A flag wins for one file.
   */
  readonly versions?: 'sequential' | 'timestamp'
  /**
   * Values for `${name}` in SQL migrations; setting this (even to `{}`) turns placeholders on.
   * `MIG_PLACEHOLDER_<name>` variables add to and override it. Values go into the SQL as written:
   * trusted configuration, never user input. See docs/migration-format.md.
   */
  readonly placeholders?: Readonly<Record<string, string>>
}

/** Types a config file: `export default defineConfig({ url: 'sqlite:./app.db' })`. */
export function defineConfig(config: MigConfig): MigConfig {
  return config
}
