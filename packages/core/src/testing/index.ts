export { runDriverConformanceSuite } from './conformance-suite.js'
export type { ConformanceDatabase, ConformanceTarget } from './conformance-target.js'
