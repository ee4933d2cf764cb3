import type { DialectText } from './driver.js'
import { InvalidMigrationError } from './errors.js'
import type { Migration, MigrationContext, MigrationScripts } from './migration.js'
import { lineInStep, positionInCode } from './migration-failure.js'
import type { ClientOnlyStatement } from './statement-role.js'

/**
 * Refuses, before anything runs, a statement that mig cannot run as written. In a migration that
 * runs in a transaction: one that would end or nest that transaction, since a `COMMIT` there keeps
 * the statements before it even when a later one fails, and the history row is then written
 * outside the migration's transaction. In any migration: one that only a client such as psql
 * can run, which would fail mid-run after the migrations before it were applied. Both sections
 * are checked, so a down section is refused while it can still be fixed.
 */
export function checkMigrationStatements(migrations: readonly Migration[], scripts: readonly MigrationScripts[], text: DialectText): void {
  migrations.forEach((migration, index) => {
    const loaded = scripts[index] as MigrationScripts
    for (const [direction, step] of [
      ['up', loaded.up],
      ['down', loaded.down],
    ] as const) {
      if (step?.kind !== 'sql') continue
      // A repeatable migration has no sections, and cannot leave its transaction.
      const where = migration.repeatable ? 'repeatable' : direction
      const refused = firstRefused(step.sql, text, loaded.transaction)
      if (!refused) continue
      const line = lineInStep(step, refused.offset)
      if ('clientOnly' in refused) throw clientOnlyError(migration.file, where, refused.clientOnly, line)
      throw transactionControlError(migration.file, where, refused.command, line)
    }
  })
}

/**
 * A code migration's `run()` and `query()` refuse the same statements, when they are about to
 * run: one only a client can run in any migration, and in one that runs in a transaction, one
 * that would end or nest it.
 */
export function guardStatements(context: MigrationContext, text: DialectText, file: string, transaction: boolean): MigrationContext {
  const refuse = (sql: string) => {
    const refused = firstRefused(sql, text, transaction)
    if (!refused) return
    // Here, synchronously under the migration's call, the stack names the line of that call.
    const line = positionInCode(new Error(), file)?.line
    if ('clientOnly' in refused) throw clientOnlyError(file, transaction ? 'code' : 'code-outside-transaction', refused.clientOnly, line)
    throw transactionControlError(file, undefined, refused.command, line)
  }
  return {
    ...context,
    run: async (sql) => {
      refuse(sql)
      await context.run(sql)
    },
    query: async (sql, params) => {
      refuse(sql)
      return context.query(sql, params)
    },
  }
}

/** A statement mig refuses, at its offset in the script: one only a client can run, or one that ends or nests the transaction. */
type Refusal = { readonly offset: number } & ({ readonly clientOnly: ClientOnlyStatement } | { readonly command: string })

/** The first statement of `sql` that mig cannot run as written: client-only anywhere, transaction control in a transaction. */
function firstRefused(sql: string, text: DialectText, transaction: boolean): Refusal | undefined {
  for (const { text: statement, offset } of text.splitStatements(sql)) {
    const clientOnly = text.clientOnly(statement)
    if (clientOnly) return { offset, clientOnly }
    const command = transaction ? text.transactionControl(statement) : undefined
    if (command) return { offset, command }
  }
  return undefined
}

/** `where` names the section of a SQL migration, or a repeatable one; without it, the statement came from a code migration. */
function transactionControlError(file: string, where: 'up' | 'down' | 'repeatable' | undefined, command: string, line: number | undefined) {
  const section = where === 'up' || where === 'down' ? ` in the ${where} section` : ''
  const optOut =
    where === 'repeatable'
      ? 'move what must run outside a transaction into a versioned migration marked "-- mig:no-transaction": a repeatable migration always runs in one.'
      : where
        ? 'mark the file "-- mig:no-transaction" to manage transactions yourself.'
        : 'export `transaction = false` from the migration to manage transactions yourself.'
  return new InvalidMigrationError({
    file,
    line,
    reason:
      `${command}${section} would end or nest the transaction mig runs this migration in, so part of it could be committed ` +
      `while the rest fails, and its history row would be written outside it. ${where ? 'Nothing was run' : 'It was not run, and mig rolls the migration back'}. Remove the statement (mig ` +
      `already wraps the migration in a transaction), or ${optOut}`,
  })
}

/** `where` names the section of a SQL migration, a repeatable one, or a code migration in or outside a transaction. */
function clientOnlyError(
  file: string,
  where: 'up' | 'down' | 'repeatable' | 'code' | 'code-outside-transaction',
  statement: ClientOnlyStatement,
  line: number | undefined,
) {
  const section = where === 'up' || where === 'down' ? ` in the ${where} section` : ''
  const outcome =
    where === 'code'
      ? 'It was not run, and mig rolls the migration back.'
      : where === 'code-outside-transaction'
        ? 'It was not run.'
        : 'Nothing was run.'
  return new InvalidMigrationError({
    file,
    line,
    reason: `${statement.command}${section} cannot run in a migration: ${statement.fix} ${outcome}`,
  })
}
