/**
 * Runs one API operation of one contender in a process of its own, so that no tool's modules,
 * JIT state or garbage affect another's, and prints {"ms": …}: the time from creating the tool
 * to closing it, after its modules are loaded.
 *   node child.mjs <contender> <up|downAll> <target as JSON> <folder>
 */
import { contender } from './contenders.mjs'

const [id, operation, targetJson, directory] = process.argv.slice(2)
const run = contender(id).api[operation]
const target = JSON.parse(targetJson)
// Load the tool's modules before the clock starts: start-up is measured separately.
await import('./warm-up.mjs').then((module) => module.warmUp(id, target))
const started = performance.now()
await run(target, directory)
const ms = performance.now() - started
process.stdout.write(`${JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS })}\n`)
