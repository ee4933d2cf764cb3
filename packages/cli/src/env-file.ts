import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { configError } from './cli-error.js'
import { type FlagValues, stringFlag } from './command-line.js'

/** The file read when present, from the working directory, as dbmate does. */
export const DEFAULT_ENV_FILE = '.env'

const KEY_START = /[A-Za-z_]/
const KEY_PART = /[A-Za-z0-9_]/
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' }

type State = 'line' | 'key' | 'before-equals' | 'before-value' | 'unquoted' | 'double' | 'single' | 'after-quote' | 'comment'

/**
 * Reads a `.env` file: `KEY=VALUE` lines, `# comments`, blank lines, an optional `export `
 * prefix. A value is unquoted (trimmed, ended by a `#` after a space), in single quotes (taken as written), or
 * in double quotes (`\n`, `\t`, `\"`, `\\` and `\$` are escapes); quoted values may span lines.
 * Nothing is expanded: `${NAME}` stays as written. A character-by-character state machine:
 *
 *   line --letter--> key --=--> before-value --"--> double --"--> after-quote
 *                                            --'--> single --'--> after-quote
 *                                            --other--> unquoted --newline--> line
 *
 * Throws a `MIG_CONFIG` error naming the file, the line and the fix.
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const source = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n/g, '\n')
  const values: Record<string, string> = {}
  let state: State = 'line'
  let key = ''
  let value = ''
  let line = 1
  let valueLine = 1
  const fail = (at: number, reason: string): never => {
    throw configError(`${file}:${at}: ${reason}`)
  }
  /** Stores the value just read (an unquoted one trimmed) and goes on in `next`. */
  const finish = (next: State, trim: boolean) => {
    values[key] = trim ? value.trim() : value
    key = ''
    value = ''
    state = next
  }

  for (let index = 0; index <= source.length; index++) {
    const char = index < source.length ? (source[index] as string) : '\n'
    const end = index === source.length
    switch (state) {
      case 'line':
        if (char === '#') state = 'comment'
        else if (char === '\n' || char === ' ' || char === '\t') break
        else if (source.startsWith('export ', index) || source.startsWith('export\t', index)) index += 'export'.length
        else if (KEY_START.test(char)) {
          key = char
          state = 'key'
        } else fail(line, `a line must be KEY=VALUE; "${char}" cannot start a name. Names are letters, digits and "_".`)
        break
      case 'key':
        if (KEY_PART.test(char)) key += char
        else if (char === '=') state = 'before-value'
        else if (char === ' ' || char === '\t') state = 'before-equals'
        else fail(line, `"${key}" must be followed by "=" and its value${char === '\n' ? '' : `, not "${char}"`}.`)
        break
      case 'before-equals':
        if (char === '=') state = 'before-value'
        else if (char !== ' ' && char !== '\t') fail(line, `"${key}" must be followed by "=" and its value.`)
        break
      case 'before-value':
        valueLine = line
        if (char === '"') state = 'double'
        else if (char === "'") state = 'single'
        else if (char === '\n') finish('line', true)
        else if (char === '#' && source[index - 1] !== '=') finish('comment', true)
        else if (char !== ' ' && char !== '\t') {
          value = char
          state = 'unquoted'
        }
        break
      case 'unquoted':
        if (char === '\n') finish('line', true)
        else if (char === '#' && /[ \t]$/.test(value)) finish('comment', true)
        else value += char
        break
      case 'double':
        if (end) fail(valueLine, `the value of ${key} opens a double quote that is never closed. Close it with ".`)
        if (char === '"') state = 'after-quote'
        else if (char === '\\' && ESCAPES[source[index + 1] ?? ''] !== undefined) value += ESCAPES[source[++index] as string]
        else value += char
        break
      case 'single':
        if (end) fail(valueLine, `the value of ${key} opens a single quote that is never closed. Close it with '.`)
        if (char === "'") state = 'after-quote'
        else value += char
        break
      case 'after-quote':
        if (char === '\n' || char === '#') finish(char === '#' ? 'comment' : 'line', false)
        else if (char !== ' ' && char !== '\t') {
          fail(line, `the value of ${key} goes on after its closing quote. Put the whole value inside the quotes.`)
        }
        break
      case 'comment':
        if (char === '\n') state = 'line'
        break
    }
    if (char === '\n') line++
  }
  return values
}

/**
 * The environment a command sees: the real one, and below it the `--env-file` (which must
 * exist) or else `.env` in the working directory when there is one. A variable set in the real
 * environment, even to an empty string, is never overridden.
 */
export function withEnvFile(flags: FlagValues, environment: NodeJS.ProcessEnv, workingDirectory: string): NodeJS.ProcessEnv {
  const given = stringFlag(flags, 'env-file')
  const path = resolve(workingDirectory, given ?? DEFAULT_ENV_FILE)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (given === undefined && code === 'ENOENT') return environment
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? String(error)})`
    throw configError(`The env file ${given ?? DEFAULT_ENV_FILE} ${reason}. Point --env-file at a KEY=VALUE file, or leave it out.`, error)
  }
  return { ...parseEnvFile(text, given ?? DEFAULT_ENV_FILE), ...environment }
}
