import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * A dependency's folder, through the bench package's own node_modules: some packages export no
 * `./package.json`, so `import.meta.resolve` cannot find their files.
 */
export function packageDirectory(name) {
  return fileURLToPath(new URL(`../node_modules/${name}/`, import.meta.url))
}

export function packageVersion(name) {
  return JSON.parse(readFileSync(`${packageDirectory(name)}package.json`, 'utf8')).version
}
