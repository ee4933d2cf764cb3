import { join } from 'node:path'
import { packageDirectory } from '../packages.mjs'

/** mig through its API: a Migrator over the dialect's driver and the folder. */
export async function migrator(target, directory, transactionMode) {
  const { Migrator, fromDirectory } = await import('@mig/core')
  const driver =
    target.dialect === 'sqlite'
      ? (await import('@mig/sqlite')).sqliteDriver({ filename: target.filename })
      : (await import('@mig/postgres')).postgresDriver({ connectionString: target.url })
  return new Migrator({ driver, source: fromDirectory(directory), transactionMode })
}

/** The built `mig` binary, run with `node` like an installed bin. */
export function migBin() {
  return join(packageDirectory('@mig/cli'), 'dist', 'bin.js')
}

export function migUrl(target) {
  return target.dialect === 'sqlite' ? `sqlite:${target.filename}` : target.url
}

/** `mig <command> --url … --dir …` as [file, args]. */
export function migCommand(command, target, directory) {
  return [process.execPath, [migBin(), ...command, '--url', migUrl(target), '--dir', directory]]
}
