/**
 * umzug's own CLI pattern: a script that builds the Umzug instance and hands argv to runAsCLI.
 *   node umzug-cli.mjs <sqlite|postgres> <file|url> <folder> up|pending|executed|down
 */
import { createUmzug } from '../tools/umzug.mjs'

const [dialect, location, directory, ...argv] = process.argv.slice(2)
const target = dialect === 'sqlite' ? { dialect, filename: location } : { dialect, url: location }
const { umzug, close } = await createUmzug(target, directory)
try {
  await umzug.runAsCLI(argv)
} finally {
  await close()
}
