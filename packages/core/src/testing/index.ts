import { runDriverBehaviourSuite } from './behaviour-suite.js'
import type { ConformanceTarget } from './conformance-target.js'
import { runDriverContractSuite } from './contract-suite.js'
import { runIntegritySuite } from './integrity-suite.js'
import { runRepeatableSuite } from './repeatable-suite.js'

export type { ConformanceDatabase, ConformanceTarget } from './conformance-target.js'
export { runDriverBehaviourSuite, runDriverContractSuite, runIntegritySuite, runRepeatableSuite }

/**
 * Every suite: each part of the driver on its own, then the runner end to end on it, then its
 * integrity promises, then repeatable migrations (which need `historySql().repeatables`).
 */
export function runDriverConformanceSuite(target: ConformanceTarget): void {
  runDriverContractSuite(target)
  runDriverBehaviourSuite(target)
  runIntegritySuite(target)
  runRepeatableSuite(target)
}
export type { GoldenFilesOptions } from './golden-files.js'
export { runGoldenFiles } from './golden-files.js'
export type { HeldLock } from './hold-lock.js'
export { holdMigrationLock } from './hold-lock.js'
