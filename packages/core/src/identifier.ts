import { InvalidOptionsError } from './errors.js'

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * The one identifier rule: names mig puts into SQL text itself (the history table and its
 * schema) are plain identifiers — letters, digits and underscores, starting with a letter or
 * underscore, at most 63 characters — and are quoted by the dialect as well.
 */
export function assertPlainIdentifier(what: string, value: string): string {
  if (!PLAIN_IDENTIFIER.test(value)) {
    throw new InvalidOptionsError(
      `The ${what} ${JSON.stringify(value)} is not a plain identifier. Use letters, digits and underscores, starting with a letter or underscore (at most 63).`,
    )
  }
  return value
}
