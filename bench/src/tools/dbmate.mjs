import { resolveBinary } from 'dbmate'

/** dbmate's Go binary, shipped inside its npm package, run directly (not through its Node wrapper). */
export function dbmateCommand(command, target, directory) {
  const url = target.dialect === 'sqlite' ? `sqlite:${target.filename}` : withSslDisabled(target.url)
  return [resolveBinary(), ['--url', url, '--migrations-dir', directory, '--no-dump-schema', command]]
}

function withSslDisabled(connectionString) {
  const url = new URL(connectionString)
  if (!url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'disable')
  return url.href
}
