import type { DialectText, Driver, DriverDefinition, DriverSession } from './driver.js'
import { standardTransactionControl } from './transaction-control.js'

/**
 * Turns a dialect package's parts into a {@link Driver}: fills the defaults of optional parts
 * and derives the capabilities from which parts are present, so core checks each optional
 * feature in one place.
 */
export function defineDriver<Session extends DriverSession>(definition: DriverDefinition<Session>): Driver<Session> {
  const text: DialectText = {
    classifyStatement: () => ({ kind: 'schema' }),
    inspectScript: () => [],
    transactionControl: standardTransactionControl,
    clientOnly: () => undefined,
    isLockTimeout: () => false,
    ...definition.text,
  }
  return {
    dialect: definition.dialect,
    capabilities: {
      transactionalDdl: definition.transactionalDdl ?? true,
      schemas: definition.schemas ?? false,
      schemaSnapshots: definition.schema !== undefined,
      scratchDatabases: definition.schema?.createScratchDatabase !== undefined,
    },
    text,
    connect: (options) => definition.connect(options),
    lock: {
      async open(session, table, wait) {
        const lock = await definition.lock.open(session, table, wait)
        return Object.assign(lock, { fence: lock.fence?.bind(lock) ?? (async () => lock.isHeld()) })
      },
    },
    schema: definition.schema,
  }
}
