import type { LockedSession } from './locked-session.js'
import type { MigrationInfo } from './migration.js'
import { LockLostError } from './run-errors.js'

/** Stops before running more SQL once the lock may have passed to another runner. */
export function checkLock({ lock }: LockedSession, completed: readonly MigrationInfo[]): void {
  if (!lock.isHeld()) throw new LockLostError({ outcome: 'Nothing more was run', completed })
}

/**
 * Asks the lock, on the migrations' session, whether it is still this runner's (and, in a
 * transaction, keeps it so). `partWay`: the migration outside a transaction whose next statement
 * would run, which stays recorded as failed.
 */
export async function fence(
  { session, lock }: LockedSession,
  completed: readonly MigrationInfo[],
  partWay?: { migration: MigrationInfo; before: string },
) {
  if (await lock.fence(session)) return
  if (!partWay) throw new LockLostError({ outcome: 'Nothing more was run', completed })
  throw new LockLostError({
    outcome: `${partWay.migration.file} ran outside a transaction and stopped before its statement ${partWay.before}; it is recorded as failed`,
    completed,
    interrupted: partWay.migration,
  })
}

/** Commits unless the lock may have passed to another runner; then nothing of this transaction is kept. */
export async function commitHoldingLock({ session, lock }: LockedSession, completed: readonly MigrationInfo[]): Promise<void> {
  if (!lock.isHeld()) {
    await session.rollback()
    throw new LockLostError({ outcome: 'The open transaction was rolled back, not committed', completed })
  }
  await session.commit()
}
