import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { isPlaceholderName, PLACEHOLDER_NAME_RULE } from '@mig/core'
import { CliError, configError } from './cli-error.js'
import type { MigConfig } from './define-config.js'
import { didYouMean } from './did-you-mean.js'
import { importModule } from './typescript-loader.js'

/** Looked for in this order in each folder, from the working directory up to the root. */
export const CONFIG_FILENAMES = ['mig.config.ts', 'mig.config.mts', 'mig.config.mjs', 'mig.config.js', 'mig.config.cjs', 'mig.config.json']

export interface LoadedConfig {
  readonly file: string
  readonly config: MigConfig
}

const KEY_TYPES: Record<keyof MigConfig, 'string' | 'number' | 'boolean' | 'lint' | 'object' | 'list of strings'> = {
  url: 'string',
  dir: 'string',
  table: 'string',
  schema: 'string',
  lockWait: 'number',
  lockTimeout: 'number',
  allowOutOfOrder: 'boolean',
  singleTransaction: 'boolean',
  lint: 'lint',
  dump: 'object',
  targets: 'list of strings',
  lock: 'string',
  tableLockTimeout: 'string',
  versions: 'string',
  placeholders: 'object',
}

/** The nearest config file at or above `startDirectory`, or undefined. */
export function findConfigFile(startDirectory: string): string | undefined {
  let directory = resolve(startDirectory)
  for (;;) {
    for (const filename of CONFIG_FILENAMES) {
      const candidate = join(directory, filename)
      if (existsSync(candidate)) return candidate
    }
    const parent = dirname(directory)
    if (parent === directory) return undefined
    directory = parent
  }
}

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  if (!existsSync(file)) throw configError(`The config file ${file} does not exist. Check --config, or run mig init to write one.`)
  let value: unknown
  try {
    if (file.endsWith('.json')) {
      value = JSON.parse(await readFile(file, 'utf8'))
    } else {
      const module = await importModule(file)
      value = module.default ?? module
      // A CommonJS config imported from ESM, or a TypeScript one compiled to CommonJS, nests once more.
      if (isRecord(value) && 'default' in value && Object.keys(value).length === 1) value = value.default
    }
  } catch (error) {
    if (error instanceof CliError) throw error
    throw configError(`${basename(file)} could not be loaded: ${(error as Error).message}`, error)
  }
  return { file, config: validateConfig(file, value) }
}

function validateConfig(file: string, value: unknown): MigConfig {
  if (!isRecord(value)) {
    throw configError(`${basename(file)} must export an object, e.g. export default { url: 'sqlite:./app.db', dir: 'migrations' }.`)
  }
  for (const [key, item] of Object.entries(value)) {
    const expected = KEY_TYPES[key as keyof MigConfig]
    if (!expected) {
      const known = Object.keys(KEY_TYPES)
      throw configError(`${basename(file)} has an unknown key "${key}".${didYouMean(key, known)} Known keys: ${known.join(', ')}.`)
    }
    if (expected === 'lint') {
      // The rule ids and levels inside are checked by @mig/lint, which knows the rules.
      if (item !== undefined && item !== false && !isRecord(item)) {
        throw configError(`${basename(file)}: "lint" must be false or an object like { "rules": { "drop-column": "error" } }.`)
      }
      continue
    }
    const matches = expected === 'list of strings' ? isListOfStrings(item) : typeof item === expected
    if (item !== undefined && !matches) {
      throw configError(`${basename(file)}: "${key}" must be a ${expected}, not ${JSON.stringify(item)}.`)
    }
    if (key === 'versions' && item !== undefined && item !== 'sequential' && item !== 'timestamp') {
      throw configError(`${basename(file)}: "versions" must be "sequential" or "timestamp", not ${JSON.stringify(item)}.`)
    }
    if (
      key === 'placeholders' &&
      item !== undefined &&
      (!isRecord(item) || !Object.values(item).every((value) => typeof value === 'string'))
    ) {
      throw configError(`${basename(file)}: "placeholders" must be an object of names and string values, like { "schema": "app" }.`)
    }
    const badName = key === 'placeholders' && isRecord(item) ? Object.keys(item).find((name) => !isPlaceholderName(name)) : undefined
    if (badName !== undefined) {
      throw configError(`${basename(file)}: the placeholder name "${badName}" must be ${PLACEHOLDER_NAME_RULE}. Rename it.`)
    }
    if (key === 'dump' && item !== undefined && (!isRecord(item) || typeof item.file !== 'string' || Object.keys(item).length !== 1)) {
      throw configError(`${basename(file)}: "dump" must be { "file": "schema.sql" }, not ${JSON.stringify(item)}.`)
    }
  }
  return value as MigConfig
}

function isListOfStrings(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
