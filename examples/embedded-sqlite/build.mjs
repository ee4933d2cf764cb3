// Bundles the service into one file, dist/app.mjs, that needs no migrations folder at run time.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('.', import.meta.url))

export async function buildBundle(outfile = join(root, 'dist', 'app.mjs')) {
  await build({
    entryPoints: [join(root, 'src', 'main.bundled.mjs')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // A native addon cannot be bundled: it is installed next to the bundle.
    external: ['better-sqlite3'],
    plugins: [migrationsAsText(join(root, 'migrations'))],
    logLevel: 'warning',
  })
  return outfile
}

/**
 * Resolves `virtual:migrations` to the folder's SQL files as `[{ file, content }]`, read at build
 * time. `fromList` checksums each content exactly like the file on disk, so a database migrated
 * from the folder (by the CLI or by src/main.mjs) and then by the bundle agrees on every checksum.
 */
function migrationsAsText(folder) {
  return {
    name: 'migrations-as-text',
    setup(esbuild) {
      esbuild.onResolve({ filter: /^virtual:migrations$/ }, () => ({ path: folder, namespace: 'migrations' }))
      esbuild.onLoad({ filter: /.*/, namespace: 'migrations' }, async () => {
        const files = (await readdir(folder)).sort()
        const code = files.find((file) => /^\d.*\.[cm]?[jt]s$/.test(file))
        if (code) {
          return { errors: [{ text: `${code} is a code migration: only SQL files can travel in the bundle as text.` }] }
        }
        const sql = files.filter((file) => file.toLowerCase().endsWith('.sql'))
        const migrations = await Promise.all(sql.map(async (file) => ({ file, content: await readFile(join(folder, file), 'utf8') })))
        return { contents: `export default ${JSON.stringify(migrations)}`, loader: 'js', watchDirs: [folder] }
      })
    },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${relative(process.cwd(), await buildBundle())}`)
}
