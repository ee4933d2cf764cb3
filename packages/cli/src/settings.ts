import { dirname, resolve } from 'node:path'
import { isDuration, isPlaceholderName, PLACEHOLDER_NAME_RULE } from '@mig/core'
import type { LintConfig } from '@mig/lint'
import { configError } from './cli-error.js'
import { type FlagValues, stringFlag } from './command-line.js'
import { findConfigFile, type LoadedConfig, loadConfigFile } from './config-file.js'

/** Everything a command needs to know, merged from flags, environment and config file. */
export interface Settings {
  /** Undefined when no URL is given anywhere; commands that open the database refuse that. */
  readonly url: string | undefined
  /** What a relative SQLite path resolves against: the config file's folder or the working directory. */
  readonly urlBaseDirectory: string
  /** Absolute path of the migrations folder. */
  readonly directory: string
  readonly table: string | undefined
  readonly schema: string | undefined
  /** How long to wait for another run's migration lock. */
  readonly lockWaitMs: number | undefined
  readonly allowOutOfOrder: boolean
  readonly singleTransaction: boolean
  /** The config file's lint levels, or `false` when `mig up` should not lint. */
  readonly lint: false | LintConfig
  /** Absolute path of the config's `dump.file`, written after every up or down that changed something. */
  readonly dumpFile: string | undefined
  /** The config file's fleet targets (`--fleet`), and the folder their relative paths resolve against. */
  readonly configTargets: { readonly specs: readonly string[]; readonly baseDirectory: string } | undefined
  /** For the dialect: PostgreSQL's lock kind and `lock_timeout` for migration statements. */
  readonly dialectOptions: DialectOptions
  /** The config's `versions`: how new versions are numbered; undefined to follow the folder (create: sequential). */
  readonly versions: 'sequential' | 'timestamp' | undefined
  /** Config `placeholders` with `MIG_PLACEHOLDER_<name>` variables over them; undefined (off) when neither is given. */
  readonly placeholders: Readonly<Record<string, string>> | undefined
}

/** Options the CLI hands to a dialect package with the URL; a dialect ignores what it has no use for. */
export interface DialectOptions {
  readonly lock?: string
  readonly lockTimeout?: string
}

export const DEFAULT_DIRECTORY = 'migrations'

/** The environment variables that give the database URL when --url does not, in order. */
export const URL_VARIABLES = ['MIG_DATABASE_URL', 'DATABASE_URL'] as const

/**
 * Flags win over environment variables, which win over the config file. Paths in the config
 * file resolve against its folder, so `mig` works the same from any subfolder of the project.
 */
export async function resolveSettings(flags: FlagValues, environment: NodeJS.ProcessEnv, workingDirectory: string): Promise<Settings> {
  const configPath = stringFlag(flags, 'config')
  const configFile = configPath ? resolve(workingDirectory, configPath) : findConfigFile(workingDirectory)
  const loaded: LoadedConfig | undefined = configFile ? await loadConfigFile(configFile) : undefined
  const config = loaded?.config ?? {}
  const configDirectory = configFile ? dirname(configFile) : workingDirectory

  const urlCandidates: [string | undefined, string][] = [
    [stringFlag(flags, 'url'), workingDirectory],
    ...URL_VARIABLES.map((name): [string | undefined, string] => [nonEmpty(environment[name]), workingDirectory]),
    [config.url, configDirectory],
  ]
  const [url, urlBaseDirectory] = urlCandidates.find(([value]) => value !== undefined) ?? [undefined, workingDirectory]

  const directoryFlag = stringFlag(flags, 'dir') ?? nonEmpty(environment.MIG_DIR)
  const directory = directoryFlag ? resolve(workingDirectory, directoryFlag) : resolve(configDirectory, config.dir ?? DEFAULT_DIRECTORY)

  return {
    url,
    urlBaseDirectory,
    directory,
    table: stringFlag(flags, 'table') ?? nonEmpty(environment.MIG_TABLE) ?? config.table,
    schema: stringFlag(flags, 'schema') ?? nonEmpty(environment.MIG_SCHEMA) ?? config.schema,
    lockWaitMs: lockWaitMs(
      stringFlag(flags, 'lock-wait') ??
        stringFlag(flags, 'lock-timeout') ??
        nonEmpty(environment.MIG_LOCK_WAIT) ??
        nonEmpty(environment.MIG_LOCK_TIMEOUT),
      config.lockWait ?? config.lockTimeout,
    ),
    allowOutOfOrder: switchSetting(flags['allow-out-of-order'], environment, 'MIG_ALLOW_OUT_OF_ORDER', config.allowOutOfOrder),
    singleTransaction: switchSetting(flags['single-transaction'], environment, 'MIG_SINGLE_TRANSACTION', config.singleTransaction),
    lint: config.lint ?? {},
    dumpFile: config.dump ? resolve(configDirectory, config.dump.file) : undefined,
    configTargets: config.targets ? { specs: config.targets, baseDirectory: configDirectory } : undefined,
    placeholders: placeholdersOf(environment, config.placeholders),
    dialectOptions: {
      lock: lockKindOf(stringFlag(flags, 'lock') ?? nonEmpty(environment.MIG_LOCK) ?? config.lock),
      lockTimeout: tableLockTimeoutOf(
        stringFlag(flags, 'table-lock-timeout') ?? nonEmpty(environment.MIG_TABLE_LOCK_TIMEOUT) ?? config.tableLockTimeout,
      ),
    },
    versions: config.versions,
  }
}

function lockWaitMs(given: string | undefined, configured: number | undefined): number | undefined {
  const seconds = given === undefined ? configured : Number(given.trim())
  if (seconds === undefined) return undefined
  if (!Number.isFinite(seconds) || seconds < 0 || (given !== undefined && given.trim() === '')) {
    throw configError(`The lock wait must be a number of seconds (0 or more), not "${given ?? configured}".`)
  }
  return Math.round(seconds * 1000)
}

const LOCK_KINDS: readonly string[] = ['auto', 'advisory', 'lease']

/** Checked whatever the URL, so that a typo found on a SQLite database does not wait for PostgreSQL in production. */
function lockKindOf(value: string | undefined): string | undefined {
  if (value === undefined || LOCK_KINDS.includes(value)) return value
  throw configError(`The migration lock (--lock, MIG_LOCK or "lock" in the config) must be auto, advisory or lease, not "${value}".`)
}

/** Checked whatever the URL too: SQLite has no lock_timeout, but the same settings reach PostgreSQL later. */
function tableLockTimeoutOf(value: string | undefined): string | undefined {
  if (value === undefined || isDuration(value)) return value
  throw configError(
    `The table lock timeout (--table-lock-timeout, MIG_TABLE_LOCK_TIMEOUT or "tableLockTimeout" in the config) must be a duration such as 5s, 500ms or 2min (0 turns it off), not "${value}".`,
  )
}

/** A switch given as a flag is on; a variable set to 1/true or 0/false overrides the config file either way. */
function switchSetting(flag: unknown, environment: NodeJS.ProcessEnv, variable: string, configured: boolean | undefined): boolean {
  if (flag === true) return true
  const value = nonEmpty(environment[variable])?.trim().toLowerCase()
  if (value === undefined) return configured === true
  if (value === '1' || value === 'true') return true
  if (value === '0' || value === 'false') return false
  throw configError(`${variable} must be 1 or 0 (or true or false), not "${environment[variable]}".`)
}

const PLACEHOLDER_VARIABLE = 'MIG_PLACEHOLDER_'

/** A variable set to an empty string is a value too: a placeholder may stand for nothing. */
function placeholdersOf(
  environment: NodeJS.ProcessEnv,
  configured: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> | undefined {
  const fromEnvironment = Object.entries(environment).flatMap(([variable, value]) => {
    if (!variable.startsWith(PLACEHOLDER_VARIABLE) || value === undefined) return []
    const name = variable.slice(PLACEHOLDER_VARIABLE.length)
    if (!isPlaceholderName(name)) {
      throw configError(
        `The environment variable ${variable} names the placeholder "${name}", which must be ${PLACEHOLDER_NAME_RULE}. Rename or unset the variable.`,
      )
    }
    return [[name, value] as const]
  })
  if (configured === undefined && fromEnvironment.length === 0) return undefined
  return { ...configured, ...Object.fromEntries(fromEnvironment) }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
