import { InvalidOptionsError } from '@mig/core'

export type SqlitePragmaValue = string | number | boolean

const PRAGMA_VALUE = /^(?:[A-Za-z_][A-Za-z0-9_]*|-?\d+)$/

/** The `pragmas` option as `[name, value]` pairs, each a plain name and a plain value, for `PRAGMA name = value`. */
export function validatePragmas(pragmas: Readonly<Record<string, SqlitePragmaValue>>): [string, string][] {
  return Object.entries(pragmas).map(([name, value]) => {
    const text = typeof value === 'boolean' ? (value ? 'ON' : 'OFF') : String(value)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !PRAGMA_VALUE.test(text)) {
      throw new InvalidOptionsError(`PRAGMA ${name} = ${text} is not a plain name and value; give e.g. { foreign_keys: 'ON' }.`)
    }
    return [name, text]
  })
}
