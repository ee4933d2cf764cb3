import { InvalidOptionsError } from './errors.js'

/**
 * Refuses an option that `owner` does not take, such as `lockWait` for `lockWaitMs`: from
 * JavaScript, or through a cast, it would otherwise be ignored without a word. `known` names
 * every option as a record, `Record<keyof Options, true>`, so that TypeScript keeps it complete.
 */
export function refuseUnknownOptions(given: unknown, known: Readonly<Record<string, true>>, owner: string): void {
  if (typeof given !== 'object' || given === null) return
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(known, name))
  if (!unknown.length) return
  throw new InvalidOptionsError(
    `${owner} has no option ${unknown.map((name) => JSON.stringify(name)).join(' or ')}; its options are ${Object.keys(known).join(', ')}.`,
  )
}
