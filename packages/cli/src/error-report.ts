import { DatabaseError } from '@mig/core'
import { CliError } from './cli-error.js'
import { errorCodeOf } from './exit-codes.js'
import type { Output } from './output.js'

type ErrorFields = Record<string, unknown>

/**
 * `{ code, message, ...details }` as documented for `--json` (docs/cli.md): each of mig's errors
 * describes itself with `toJSON()`; anything else is reported by its code and message.
 */
export function errorToJson(error: unknown): Record<string, unknown> {
  const described = (error as { toJSON?: () => Record<string, unknown> } | undefined)?.toJSON
  const own = typeof described === 'function' ? described.call(error) : {}
  return { ...own, code: errorCodeOf(error), message: messageOf(error) }
}

export function reportError(output: Output, command: string | undefined, error: unknown): void {
  if (output.format === 'json') {
    output.json({ ok: false, command: command ?? null, error: errorToJson(error) })
    return
  }
  const fields = (typeof error === 'object' && error !== null ? error : {}) as ErrorFields
  const { red, dim } = output.colours
  output.note(`${red('Error')} ${dim(errorCodeOf(error))}: ${messageOf(error)}`)
  if (typeof fields.statement === 'string' && fields.statement.trim()) {
    output.note(dim(`Statement:\n${indent(truncate(fields.statement.trim(), 20))}`))
  }
  // A failed migration's message already carries the database's detail and hint.
  const message = messageOf(error)
  const cause = fields.cause as ErrorFields | undefined
  for (const source of [fields, cause]) {
    if (typeof source?.detail === 'string' && !message.includes(source.detail)) output.note(dim(`Detail: ${source.detail}`))
    if (typeof source?.hint === 'string' && !message.includes(source.hint)) output.note(dim(`Hint: ${source.hint}`))
  }
}

/** SQLSTATE 3D000, invalid_catalog_name: the database the URL names does not exist. */
const MISSING_DATABASE = '3D000'

/** What the file system said, as the fix; by Node's error code. */
const FILE_PROBLEMS: Record<string, string> = {
  EACCES: 'permission denied. Give the user running mig access to it',
  EPERM: 'the operation is not permitted. Give the user running mig access to it',
  EROFS: 'the file system is read-only. Run mig where it may write',
  ENOSPC: 'no space is left on the device. Free some, then run this again',
  EDQUOT: 'the disk quota is used up. Free some, then run this again',
}

/** The error with the fix for it, where there is one: the mig command to run, or what to change. */
export function withNextStep(error: unknown): unknown {
  const { code, path, syscall } = error as NodeJS.ErrnoException
  const fileProblem = typeof code === 'string' ? FILE_PROBLEMS[code] : undefined
  if (fileProblem && path && errorCodeOf(error) === 'MIG_UNEXPECTED') {
    return new CliError('MIG_FILE_ACCESS', `mig could not ${syscall ?? 'use'} ${path}: ${fileProblem}.`, { cause: error })
  }
  // By its code rather than its class: a dialect package may bring its own copy of @mig/core.
  if (errorCodeOf(error) !== 'MIG_DATABASE_ERROR') return error
  const database = error as DatabaseError
  if (database.sqlState !== MISSING_DATABASE || database.hint) return error
  return new DatabaseError(database.message, {
    sqlState: database.sqlState,
    detail: database.detail,
    hint: 'Create it with mig db create (same URL), then run this again.',
    position: database.position,
    cause: database.cause,
  })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function truncate(text: string, maxLines: number): string {
  const lines = text.split('\n')
  return lines.length <= maxLines ? text : [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join('\n')
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}
