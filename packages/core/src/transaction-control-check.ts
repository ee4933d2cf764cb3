import type { DialectText } from './driver.js'
import { InvalidMigrationError } from './errors.js'
import type { Migration, MigrationContext, MigrationScripts, SqlStep } from './migration.js'
import { lineInStep, positionInCode } from './migration-failure.js'

/**
 * Refuses, before anything runs, a statement that would end or nest mig's transaction in a
 * migration that runs in one: a `COMMIT` there keeps the statements before it even when a
 * later one fails, and the history row is then written outside the migration's transaction.
 * Both sections are checked, so a down section is refused while it can still be fixed.
 */
export function checkTransactionControl(migrations: readonly Migration[], scripts: readonly MigrationScripts[], text: DialectText): void {
  migrations.forEach((migration, index) => {
    const loaded = scripts[index] as MigrationScripts
    if (!loaded.transaction) return
    for (const [direction, step] of [
      ['up', loaded.up],
      ['down', loaded.down],
    ] as const) {
      if (step?.kind !== 'sql') continue
      const found = firstControl(step, text)
      if (found) throw transactionControlError(migration.file, direction, found.command, lineInStep(step, found.offset))
    }
  })
}

/** A code migration's `run()` and `query()` in a transaction refuse the same statements, when they are about to run. */
export function guardTransaction(context: MigrationContext, text: DialectText, file: string): MigrationContext {
  const refuseControl = (sql: string) => {
    const found = firstControl({ kind: 'sql', sql, line: 1 }, text)
    // Here, synchronously under the migration's call, the stack names the line of that call.
    if (found) throw transactionControlError(file, undefined, found.command, positionInCode(new Error(), file)?.line)
  }
  return {
    ...context,
    run: async (sql) => {
      refuseControl(sql)
      await context.run(sql)
    },
    query: async (sql, params) => {
      refuseControl(sql)
      return context.query(sql, params)
    },
  }
}

function firstControl(step: SqlStep, text: DialectText): { command: string; offset: number } | undefined {
  for (const statement of text.splitStatements(step.sql)) {
    const command = text.transactionControl(statement.text)
    if (command) return { command, offset: statement.offset }
  }
  return undefined
}

/** `direction` names the section of a SQL migration; without it, the statement came from a code migration. */
function transactionControlError(file: string, direction: 'up' | 'down' | undefined, command: string, line: number | undefined) {
  const section = direction ? ` in the ${direction} section` : ''
  const optOut = direction ? 'mark the file "-- mig:no-transaction"' : 'export `transaction = false` from the migration'
  return new InvalidMigrationError({
    file,
    line,
    reason:
      `${command}${section} would end or nest the transaction mig runs this migration in, so part of it could be committed ` +
      `while the rest fails, and its history row would be written outside it. ${direction ? 'Nothing was run' : 'It was not run, and mig rolls the migration back'}. Remove the statement (mig ` +
      `already wraps the migration in a transaction), or ${optOut} to manage transactions yourself.`,
  })
}
