import type { DriverSession } from './driver.js'

/**
 * After a migration that runs outside mig's transaction: a transaction it began and did not end
 * would take the history row with it, and closing the session would roll both back, after mig
 * had reported the migration applied. Rolls it back now and throws, so the migration is recorded
 * as failed part-way: what ran before its BEGIN is committed, what ran after it is not.
 */
export async function rollBackTransactionLeftOpen(session: DriverSession): Promise<void> {
  if (!(await session.transactionOpen?.())) return
  await session.rollback()
  throw new Error(
    'it began a transaction and did not end it, so mig rolled back what ran after its BEGIN (what ran before stays). ' +
      'End the transaction in the migration with COMMIT, or remove "-- mig:no-transaction" (in a code migration, `transaction = false`) so that mig runs it in its own',
  )
}
