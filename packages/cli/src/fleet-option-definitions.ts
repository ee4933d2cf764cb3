import type { OptionDefinition } from './option-definitions.js'

/** The options of `up`, `down`, `status` and `validate` with `--fleet`. */
export const FLEET_OPTIONS: Readonly<Record<string, OptionDefinition>> = {
  fleet: { type: 'boolean', description: 'Run on every target of a fleet, each with its own lock and history (docs/fleet.md)' },
  targets: {
    type: 'string',
    placeholder: 'spec',
    description: "Fleet targets: a URL, a SQLite glob ('sqlite:./tenants/*.db'), @file (one per line) or - (standard input)",
  },
  schemas: {
    type: 'string',
    placeholder: 'pattern',
    description: "Fleet of the schemas of --url's database matching a pattern (tenant_*)",
  },
  'targets-query': {
    type: 'string',
    placeholder: 'sql',
    description: "Fleet from a query on --url's database returning a url column or a schema column",
  },
  concurrency: { type: 'string', placeholder: 'n', description: 'Targets at once (default 4)' },
  'per-server': {
    type: 'string',
    placeholder: 'n',
    description: 'Targets at once on one server (default: --concurrency); a PostgreSQL target holds up to 2 connections',
  },
  'keep-going': { type: 'boolean', description: 'Take every target even after one fails (default: stop starting new ones)' },
  canary: { type: 'string', placeholder: 'n', description: 'Run n targets first and stop if any of them fails' },
  retries: { type: 'string', placeholder: 'n', description: 'Retries of an unreachable target, with back-off (default 2)' },
  'retry-delay': { type: 'string', placeholder: 'seconds', description: 'First retry delay; doubles each time (default 1)' },
  shard: { type: 'string', placeholder: 'i/n', description: 'Take slice i of n (1-based) of the targets, for n parallel jobs' },
  only: { type: 'string', placeholder: 'ids', description: 'Take only these targets (comma-separated ids, as the report prints them)' },
}

/** Why a command other than `up`, `down`, `status` and `validate` refuses `--fleet`, and what to run instead. */
export function withoutFleet(command: string): string {
  if (command === 'lint') {
    return (
      'mig lint takes no --fleet: it reads only the migration files, which are the same for every target, so lint them once: ' +
      'mig lint --all (with --dialect postgres or sqlite when no URL is configured), or mig lint --url <one target> for the migrations ' +
      'that target would run. mig up --fleet lints what each target is about to apply, as mig up does.'
    )
  }
  return `mig ${command} takes no --fleet: only up, down, status and validate run on every target of a fleet (docs/fleet.md).`
}
