import { fileURLToPath } from 'node:url'
import { bareDownAll, bareUp } from './tools/bare-loop.mjs'
import { dbmateCommand } from './tools/dbmate.mjs'
import { knexCommand, knexDownAll, knexUp } from './tools/knex.mjs'
import { kyselyDownAll, kyselyUp } from './tools/kysely.mjs'
import { migCommand, migrator } from './tools/mig.mjs'
import { nodePgMigrateCommand, nodePgMigrateRun } from './tools/node-pg-migrate.mjs'
import { postgratorCommand, postgratorDownAll, postgratorUp } from './tools/postgrator.mjs'
import { umzugDownAll, umzugUp } from './tools/umzug.mjs'

const BOTH = ['sqlite', 'postgres']

/** A script of ours run as a whole process with the target in its arguments. */
function script(name, target, directory, ...argv) {
  const location = target.dialect === 'sqlite' ? target.filename : target.url
  return [process.execPath, [fileURLToPath(new URL(`./scripts/${name}`, import.meta.url)), target.dialect, location, directory, ...argv]]
}

/**
 * Everything measured. `api` operations run inside a fresh child process and are timed from
 * opening the tool to closing it; `cli` commands are timed as whole processes. A command is
 * [file, args, extra environment?].
 */
export const CONTENDERS = [
  {
    id: 'bare',
    label: 'bare loop',
    format: 'up-down',
    dialects: BOTH,
    transactions: 'per migration',
    api: { up: (target, directory) => bareUp(target, directory, { transactions: 'per-migration' }), downAll: bareDownAll },
  },
  {
    id: 'bare-single',
    label: 'bare loop, one transaction',
    format: 'up-down',
    dialects: BOTH,
    transactions: 'one for all',
    api: { up: (target, directory) => bareUp(target, directory, { transactions: 'single' }) },
  },
  {
    id: 'mig',
    label: 'mig (API)',
    format: 'mig',
    dialects: BOTH,
    transactions: 'per migration',
    api: {
      up: async (target, directory) => (await migrator(target, directory)).up(),
      downAll: async (target, directory) => (await migrator(target, directory)).down({ all: true }),
    },
  },
  {
    id: 'mig-single',
    label: 'mig (API), transactionMode single',
    format: 'mig',
    dialects: BOTH,
    transactions: 'one for all',
    api: { up: async (target, directory) => (await migrator(target, directory, 'single')).up() },
  },
  {
    id: 'mig-cli',
    label: 'mig (CLI)',
    format: 'mig',
    dialects: BOTH,
    transactions: 'per migration',
    cli: {
      up: (target, directory) => migCommand(['up'], target, directory),
      status: (target, directory) => migCommand(['status'], target, directory),
      downAll: (target, directory) => [migCommand(['down', '--all'], target, directory)],
    },
  },
  {
    id: 'node-pg-migrate',
    label: 'node-pg-migrate',
    format: 'node-pg-migrate',
    dialects: ['postgres'],
    transactions: 'per migration',
    api: {
      up: (target, directory) => nodePgMigrateRun(target, directory, 'up'),
      downAll: (target, directory) => nodePgMigrateRun(target, directory, 'down'),
    },
    cli: { up: (target, directory) => nodePgMigrateCommand('up', target, directory) },
  },
  {
    id: 'postgrator',
    label: 'postgrator',
    format: 'postgrator',
    dialects: BOTH,
    transactions: 'none (implicit per statement batch)',
    api: { up: postgratorUp, downAll: postgratorDownAll },
    cli: { up: (target, directory) => (target.dialect === 'postgres' ? postgratorCommand(target, directory) : undefined) },
  },
  {
    id: 'knex',
    label: 'knex',
    format: 'knex',
    dialects: BOTH,
    transactions: 'one for all (its default)',
    api: { up: knexUp, downAll: knexDownAll },
    cli: {
      up: (target, directory, work) => knexCommand('migrate:latest', target, directory, work),
      status: (target, directory, work) => knexCommand('migrate:status', target, directory, work),
    },
  },
  {
    id: 'umzug',
    label: 'umzug',
    format: 'up-down',
    dialects: BOTH,
    transactions: 'per migration, recorded after commit',
    api: { up: umzugUp, downAll: umzugDownAll },
    cli: {
      up: (target, directory) => script('umzug-cli.mjs', target, directory, 'up'),
      status: (target, directory) => script('umzug-cli.mjs', target, directory, 'pending'),
    },
  },
  {
    id: 'kysely',
    label: 'Kysely',
    format: 'kysely',
    dialects: BOTH,
    transactions: 'one for all (its default)',
    api: { up: kyselyUp, downAll: kyselyDownAll },
    cli: {
      up: (target, directory) => script('kysely-cli.mjs', target, directory, 'up'),
      status: (target, directory) => script('kysely-cli.mjs', target, directory, 'status'),
    },
  },
  {
    id: 'dbmate',
    label: 'dbmate (Go binary)',
    format: 'dbmate',
    dialects: BOTH,
    transactions: 'per migration',
    cli: {
      up: (target, directory) => dbmateCommand('migrate', target, directory),
      status: (target, directory) => dbmateCommand('status', target, directory),
      // dbmate rolls back one migration per call.
      downAll: (target, directory, _work, count) => Array.from({ length: count }, () => dbmateCommand('rollback', target, directory)),
    },
  },
]

/** Whole-process baselines for start-up. */
export function baselineCommands(target, directory) {
  return [
    { id: 'node', label: '`node -e 0`', command: [process.execPath, ['-e', '0']] },
    { id: 'bare-script', label: 'bare Node script (reads history, lists folder)', command: script('bare-status.mjs', target, directory) },
  ]
}

export function contender(id) {
  const found = CONTENDERS.find((candidate) => candidate.id === id)
  if (!found) throw new Error(`No contender ${id}`)
  return found
}
