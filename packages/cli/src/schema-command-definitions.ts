import type { CommandDefinition } from './command-definitions.js'
import type { GlobalOptionName } from './option-definitions.js'

/** Where the database is, the migrations and the history table: what every schema command reads. */
const SCHEMA_GLOBALS: readonly GlobalOptionName[] = ['url', 'config', 'env-file', 'dir', 'table', 'schema']

/** The commands that read schemas: `dump`, `drift` and `test`. */
export const SCHEMA_COMMANDS: readonly CommandDefinition[] = [
  {
    name: 'dump',
    usage: 'dump [--from-migrations] [--file <path>]',
    summary: "Write the schema as a deterministic SQL file (default: to stdout, or the config's dump.file)",
    options: {
      'from-migrations': {
        type: 'boolean',
        description: 'The schema every migration builds, on a scratch database, instead of the live one',
      },
      file: { type: 'string', placeholder: 'path', description: 'Write to this file instead of stdout' },
    },
    globalOptions: SCHEMA_GLOBALS,
    maxPositionals: 0,
    usesDatabase: true,
    examples: ['mig dump > schema.sql', 'mig dump --file schema.sql', 'mig dump --from-migrations --file schema.sql'],
  },
  {
    name: 'drift',
    usage: 'drift [--write [--name <name>]]',
    summary: 'Compare the database with what the applied migrations build; exit 1 when they differ',
    options: {
      write: {
        type: 'boolean',
        description: 'Also draft a migration (with its down section) that makes the migrations build what the database holds',
      },
      name: { type: 'string', placeholder: 'name', description: "The drafted migration's name (default: adopt_drift)" },
    },
    globalOptions: SCHEMA_GLOBALS,
    maxPositionals: 0,
    usesDatabase: true,
    examples: ['mig drift', 'mig drift --json', 'mig drift --write', 'mig drift --write --name keep_hotfix_index'],
  },
  {
    name: 'test',
    usage: 'test [--from <version>] [--accept-irreversible <versions>]',
    summary: 'Prove on a scratch database that every down undoes its up; exit 1 when one does not',
    options: {
      from: {
        type: 'string',
        placeholder: 'version',
        description: 'Test migrations from this version on (older ones are applied untested)',
      },
      'accept-irreversible': {
        type: 'string',
        placeholder: 'versions',
        description: 'Versions without a down section that are irreversible on purpose, separated by commas',
      },
    },
    globalOptions: SCHEMA_GLOBALS,
    maxPositionals: 0,
    usesDatabase: true,
    runsMigrations: true,
    examples: ['mig test', 'mig test --from 40', 'mig test --accept-irreversible 3,7'],
  },
]
