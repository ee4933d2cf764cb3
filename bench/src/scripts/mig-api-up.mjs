/**
 * mig embedded in an application: imports @mig/core and the dialect's driver (not timed, as an
 * application has them loaded), then times `new Migrator(...).up()`, and prints
 * {"ms": …, "maxRssKb": …, "applied": …}. Nothing else is imported, so the peak RSS is mig's own.
 *   node mig-api-up.mjs sqlite <file> <folder>
 *   node mig-api-up.mjs postgres <url> <folder>
 */
import { fromDirectory, Migrator } from '@mig/core'

const [dialect, location, directory] = process.argv.slice(2)
const driver =
  dialect === 'sqlite'
    ? (await import('@mig/sqlite')).sqliteDriver({ filename: location })
    : (await import('@mig/postgres')).postgresDriver({ connectionString: location })
const started = performance.now()
const result = await new Migrator({ driver, source: fromDirectory(directory) }).up()
const ms = performance.now() - started
process.stdout.write(`${JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, applied: result.migrations.length })}\n`)
