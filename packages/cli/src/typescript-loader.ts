import { basename } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { MigrationSource } from '@mig/core'
import { CliError } from './cli-error.js'

const TYPESCRIPT_FILE = /\.[mc]?ts$/

export function isTypeScriptFile(file: string): boolean {
  return TYPESCRIPT_FILE.test(file) && !/\.d\.[mc]?ts$/.test(file)
}

let registration: Promise<void> | undefined

/**
 * Lets every later `import()` in this process load TypeScript, so @mig/core can import `.ts`
 * migrations. tsx (and esbuild under it) is an optional peer dependency: loaded only when a
 * TypeScript file is involved, because it costs more start-up time than the rest of the CLI
 * together, and a project with SQL migrations only need not install it. `file` names the
 * TypeScript file that needs it, for the error when tsx is missing.
 */
export function registerTypeScript(file: string): Promise<void> {
  // Both hooks: without a `"type": "module"` package.json, Node hands a `.ts` file to its
  // CommonJS loader, which only tsx's CommonJS hook can compile.
  registration ??= Promise.all([importTsx('tsx/esm/api', file), importTsx('tsx/cjs/api', file)]).then(([esm, commonJs]) => {
    esm.register()
    commonJs.register()
  })
  return registration
}

/**
 * The source, registering the TypeScript loader when its listing holds a TypeScript migration:
 * after core has read the folder (once) and before any migration is imported.
 */
export function registeringTypeScript(source: MigrationSource): MigrationSource {
  return {
    ...source,
    async list() {
      const migrations = await source.list()
      const typeScript = migrations.find((migration) => isTypeScriptFile(migration.file))
      if (typeScript) await registerTypeScript(typeScript.file)
      return migrations
    },
  }
}

/** Imports one module, TypeScript or JavaScript, by path. */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  if (isTypeScriptFile(path)) {
    const { tsImport } = await importTsx('tsx/esm/api', path)
    return tsImport(pathToFileURL(path).href, import.meta.url)
  }
  return import(pathToFileURL(path).href)
}

async function importTsx(specifier: 'tsx/esm/api' | 'tsx/cjs/api', file: string) {
  try {
    return (await import(specifier)) as typeof import('tsx/esm/api') & typeof import('tsx/cjs/api')
  } catch (error) {
    const code = (error as { code?: string }).code
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /'tsx(\/|')/.test((error as Error).message)) {
      throw new CliError('MIG_TYPESCRIPT_MISSING', `${basename(file)} is TypeScript, which needs tsx: npm install --save-dev tsx`, {
        cause: error,
      })
    }
    throw error
  }
}
