import { pathToFileURL } from 'node:url'

const TYPESCRIPT_FILE = /\.[mc]?ts$/

export function isTypeScriptFile(file: string): boolean {
  return TYPESCRIPT_FILE.test(file) && !/\.d\.[mc]?ts$/.test(file)
}

let registration: Promise<void> | undefined

/**
 * Lets every later `import()` in this process load TypeScript, so @mig/core can import `.ts`
 * migrations. tsx (and esbuild under it) is loaded only when a TypeScript file is involved,
 * because it costs more start-up time than the rest of the CLI together.
 */
export function registerTypeScript(): Promise<void> {
  // Both hooks: without a `"type": "module"` package.json, Node hands a `.ts` file to its
  // CommonJS loader, which only tsx's CommonJS hook can compile.
  registration ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, commonJs]) => {
    esm.register()
    commonJs.register()
  })
  return registration
}

/** Imports one module, TypeScript or JavaScript, by path. */
export async function importModule(path: string): Promise<Record<string, unknown>> {
  if (isTypeScriptFile(path)) {
    const { tsImport } = await import('tsx/esm/api')
    return tsImport(pathToFileURL(path).href, import.meta.url)
  }
  return import(pathToFileURL(path).href)
}
