import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { type FleetTarget, redactUrl } from '@mig/core'
import { usageError } from './cli-error.js'
import { type FlagValues, stringFlag } from './command-line.js'
import { driverFromUrl } from './dialect-registry.js'
import { globFiles, hasWildcard } from './fleet-glob.js'
import { queryTargets, schemaQuery } from './fleet-query.js'
import type { Settings } from './settings.js'
import { requireUrl } from './with-migrator.js'

/** One target of a CLI fleet: a database URL, or one schema of a database. */
export interface CliTarget extends FleetTarget {
  readonly url: string
  /** What a relative SQLite path resolves against. */
  readonly baseDirectory: string
}

export interface TargetSource {
  /** A new stream of the targets, with `--only` applied. */
  open(): AsyncIterable<CliTarget>
  /** False when the targets come from standard input, which can be read once only. */
  readonly repeatable: boolean
  /** Every URL the targets come from, for the redactor. */
  readonly urls: readonly string[]
  /** `--only`, and which of its ids the targets read so far hold. */
  readonly only: OnlyFilter | undefined
}

/** `--only`: passes the targets it names, and remembers which of its ids it has seen. */
export class OnlyFilter {
  private readonly seen = new Set<string>()
  /** The first id the fleet has, to show how ids are written. */
  example: string | undefined

  constructor(readonly ids: ReadonlySet<string>) {}

  async *filter(targets: AsyncIterable<CliTarget>): AsyncGenerator<CliTarget, void, undefined> {
    for await (const target of targets) {
      this.example ??= target.id
      if (!this.ids.has(target.id)) continue
      this.seen.add(target.id)
      yield target
    }
  }

  /** The ids no target read so far has: once every target was read, those that are not in the fleet. */
  unmatched(): string[] {
    return [...this.ids].filter((id) => !this.seen.has(id))
  }
}

const SOURCE_FLAGS = ['targets', 'schemas', 'targets-query'] as const

/**
 * Where `--fleet` takes its targets: `--targets` (a URL, a SQLite glob, `@file` or `-`),
 * `--schemas` or `--targets-query` on `--url`'s database, or the config file's `targets`.
 */
export function targetSource(
  flags: FlagValues,
  settings: Settings,
  only: ReadonlySet<string> | undefined,
  input: { stdin: Readable; workingDirectory: string },
): TargetSource {
  const given = SOURCE_FLAGS.filter((name) => flags[name] !== undefined)
  if (given.length > 1) throw usageError(`Give one of --${given.join(', --')}: they are different ways to name a fleet.`)
  const onlyFilter = only && new OnlyFilter(only)
  const filtered = (open: () => AsyncIterable<CliTarget>) => () => (onlyFilter ? onlyFilter.filter(open()) : open())
  const targets = stringFlag(flags, 'targets')
  const schemas = stringFlag(flags, 'schemas')
  const query = schemas === undefined ? stringFlag(flags, 'targets-query') : schemaQuery(schemas)
  if (query !== undefined) {
    const url = requireUrl(settings)
    return { open: filtered(() => fromQuery(url, settings.urlBaseDirectory, query)), repeatable: true, urls: [url], only: onlyFilter }
  }
  const specs = targets !== undefined ? [targets] : settings.configTargets?.specs
  if (!specs) {
    throw usageError(
      '--fleet needs targets: --targets \'sqlite:./tenants/*.db\' (or a URL, @file, - for standard input), --schemas <pattern> or --targets-query <sql> with --url, or "targets" in mig.config.',
    )
  }
  if (flags.url !== undefined) {
    throw usageError(
      `--url names one database, and this fleet's databases come from ${targets !== undefined ? '--targets' : 'the config file\'s "targets"'}: name each one there, or leave out --fleet to work on the --url database alone.`,
    )
  }
  const baseDirectory = targets !== undefined ? undefined : settings.configTargets?.baseDirectory
  return {
    open: filtered(() => fromSpecs(specs, baseDirectory ?? input.workingDirectory, input.stdin)),
    repeatable: !specs.some((spec) => spec.trim() === '-'),
    urls: specs,
    only: onlyFilter,
  }
}

async function* fromSpecs(specs: readonly string[], baseDirectory: string, stdin: Readable): AsyncGenerator<CliTarget, void, undefined> {
  for (const spec of specs) {
    const trimmed = spec.trim()
    if (trimmed === '-') yield* fromLines(stdin, baseDirectory)
    else if (trimmed.startsWith('@')) yield* fromLines(createReadStream(resolve(baseDirectory, trimmed.slice(1))), baseDirectory)
    else yield* fromSpec(trimmed, baseDirectory)
  }
}

/** One URL or SQLite glob per line; blank lines and `#` comments are skipped. */
async function* fromLines(input: Readable, baseDirectory: string): AsyncGenerator<CliTarget, void, undefined> {
  // Imported here: the CLI is one file, and a static import would load readline on every run.
  const { createInterface } = await import('node:readline')
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    const spec = line.trim()
    if (spec !== '' && !spec.startsWith('#')) yield* fromSpec(spec, baseDirectory)
  }
}

async function* fromSpec(spec: string, baseDirectory: string): AsyncGenerator<CliTarget, void, undefined> {
  const sqlite = /^(sqlite3?):(?:\/\/)?(.*)$/i.exec(spec)
  const path = sqlite?.[2] ?? ''
  // `?name=value` after the path is the URL's query (`?busy_timeout=5000`), not a wildcard.
  const query = /\?\w+=.*$/.exec(path)
  const pattern = query ? path.slice(0, query.index) : path
  if (!sqlite || !hasWildcard(pattern)) {
    yield urlTarget(spec, baseDirectory)
    return
  }
  for await (const file of globFiles(pattern, baseDirectory)) yield urlTarget(`${sqlite[1]}:${file}${query?.[0] ?? ''}`, baseDirectory)
}

async function* fromQuery(controlUrl: string, baseDirectory: string, sql: string): AsyncGenerator<CliTarget, void, undefined> {
  const control = await driverFromUrl(controlUrl, { baseDirectory, access: 'read-only' })
  for await (const { kind, value } of queryTargets(control, sql)) {
    yield kind === 'url' ? urlTarget(value, baseDirectory) : { ...urlTarget(controlUrl, baseDirectory), id: value, schema: value }
  }
}

function urlTarget(url: string, baseDirectory: string): CliTarget {
  return { id: redactUrl(url), url, baseDirectory, server: serverOf(url) }
}

/** `host:port` of a network database, which the per-server cap counts by; none for a file. */
function serverOf(url: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(url) || !URL.canParse(url)) return undefined
  return new URL(url).host || undefined
}
