import { errorCodeOf } from './exit-codes.js'
import type { Output } from './output.js'

/**
 * Errors are read by their stable `code` and public fields rather than by class, so this module
 * (used by every command, including `--version`) does not have to load @mig/core.
 */
type ErrorFields = Record<string, unknown>

/** `{ code, message, ...details }` as documented for `--json` (docs/cli.md). */
function errorToJson(error: unknown): Record<string, unknown> {
  const code = errorCodeOf(error)
  const fields = (typeof error === 'object' && error !== null ? error : {}) as ErrorFields
  return { code, message: messageOf(error), ...detailsOf(code, fields) }
}

export function reportError(output: Output, command: string | undefined, error: unknown): void {
  if (output.format === 'json') {
    output.json({ ok: false, command: command ?? null, error: errorToJson(error) })
    return
  }
  const code = errorCodeOf(error)
  const fields = (typeof error === 'object' && error !== null ? error : {}) as ErrorFields
  const { red, dim } = output.colours
  output.note(`${red('Error')} ${dim(code)}: ${messageOf(error)}`)
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

function detailsOf(code: string, fields: ErrorFields): Record<string, unknown> {
  switch (code) {
    case 'MIG_CHECKSUM_MISMATCH':
    case 'MIG_MISSING_MIGRATION':
    case 'MIG_OUT_OF_ORDER':
    case 'MIG_PARTIAL_MIGRATION':
      return { migrations: infoList(fields.migrations) }
    case 'MIG_MIGRATION_FAILED':
      return {
        migration: info(fields.migration),
        direction: fields.direction,
        position: fields.position ?? null,
        statement: fields.statement ?? null,
        rolledBack: fields.rolledBack,
        completed: infoList(fields.completed),
      }
    case 'MIG_SCHEMA_MISMATCH':
      return { migration: info(fields.migration), differences: fields.differences ?? [] }
    case 'MIG_LINT_FAILED':
      return { findings: fields.findings ?? [] }
    case 'MIG_IRREVERSIBLE':
      return { migration: info(fields.migration) }
    case 'MIG_LOCK_TIMEOUT':
      return { timeoutMs: fields.timeoutMs }
    case 'MIG_DATABASE_ERROR':
      return { sqlState: fields.sqlState ?? null, detail: fields.detail ?? null, hint: fields.hint ?? null }
    case 'MIG_INVALID_FILENAME':
      return { file: fields.file }
    case 'MIG_INVALID_MIGRATION':
      return { file: fields.file, line: fields.line ?? null }
    case 'MIG_DUPLICATE_VERSION':
      return { version: fields.version, files: fields.files }
    case 'MIG_UNKNOWN_VERSION':
      return { version: fields.version }
    default:
      return {}
  }
}

/** `{ version, name, file }`: how every migration appears in JSON output. */
function info(value: unknown): { version: number; name: string; file: string } | null {
  if (!value || typeof value !== 'object') return null
  const { version, name, file } = value as { version: number; name: string; file: string }
  return { version, name, file }
}

function infoList(value: unknown): unknown[] {
  return Array.isArray(value) ? value.map(info) : []
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
