import { InvalidOptionsError, isDuration } from '@mig/core'
import type { PostgresClient } from './postgres-client.js'
import { quotePostgresLiteral } from './postgres-identifier.js'

/** A server setting mig applies around migration SQL. */
export interface TimeoutSetting {
  readonly name: 'lock_timeout' | 'statement_timeout'
  readonly value: string
  /** mig's default: applied only where the session has none of its own (from the role, the database or the URL's options). */
  readonly fallback?: boolean
}

/** Checks a timeout option: milliseconds as a number, or a PostgreSQL duration like `'5s'` or `'10min'`. 0 turns it off. */
export function timeoutSetting(option: 'lockTimeout' | 'statementTimeout', value: string | number | undefined): TimeoutSetting | undefined {
  if (value === undefined) return undefined
  const name = option === 'lockTimeout' ? 'lock_timeout' : 'statement_timeout'
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return { name, value: `${value}ms` }
  if (typeof value === 'string' && isDuration(value)) return { name, value: value.trim() }
  throw new InvalidOptionsError(
    `${option} must be a number of milliseconds or a PostgreSQL duration such as '5s' or '10min' (0 turns it off), not ${JSON.stringify(value)}.`,
  )
}

/** Whether a checked duration turns the timeout off (`0`, `0ms`, `0.0s`). */
export function isZeroDuration(value: string): boolean {
  return /^0+(\.0+)?\s*[a-z]*$/.test(value)
}

/**
 * The query that applies the settings to the open transaction (`local`) or to the session until
 * {@link resetTimeouts}. Values are inlined (each passed {@link timeoutSetting}'s check), so
 * `BEGIN` and the settings travel in one round trip.
 */
export function timeoutsSql(settings: readonly TimeoutSetting[], scope: 'local' | 'session'): string {
  const calls = settings.map((setting) => {
    const current = `pg_catalog.current_setting('${setting.name}')`
    const value = setting.fallback
      ? `CASE WHEN ${current} = '0' THEN ${quotePostgresLiteral(setting.value)} ELSE ${current} END`
      : quotePostgresLiteral(setting.value)
    return `pg_catalog.set_config('${setting.name}', ${value}, ${scope === 'local'})`
  })
  return `SELECT ${calls.join(', ')}`
}

/**
 * The settings for the open transaction as `SET LOCAL`: a utility statement, which the server runs
 * without planning, about 50 µs less per migration than the `SELECT` of {@link timeoutsSql}. A
 * fallback is resolved against `ownLockTimeout`, the session's own `lock_timeout` as mig found it
 * before setting any (the role's, the database's or the URL's); while that is unknown, the server
 * resolves it in the `SELECT`.
 */
export function transactionTimeoutsSql(settings: readonly TimeoutSetting[], ownLockTimeout: string | undefined): string {
  const values = settings.map((setting) => {
    if (!setting.fallback) return setting.value
    if (setting.name !== 'lock_timeout' || ownLockTimeout === undefined) return undefined
    return ownLockTimeout === '0' ? setting.value : ownLockTimeout
  })
  if (values.includes(undefined)) return timeoutsSql(settings, 'local')
  return settings.map((setting, index) => `SET LOCAL ${setting.name} = ${quotePostgresLiteral(values[index] as string)}`).join('; ')
}

export async function applyTimeouts(
  client: PostgresClient,
  settings: readonly TimeoutSetting[],
  scope: 'local' | 'session',
): Promise<void> {
  if (settings.length) await client.query(timeoutsSql(settings, scope))
}

export function resetTimeoutsSql(settings: readonly TimeoutSetting[]): string {
  return settings.map((setting) => `RESET ${setting.name}`).join('; ')
}

export async function resetTimeouts(client: PostgresClient, settings: readonly TimeoutSetting[]): Promise<void> {
  if (settings.length) await client.query(resetTimeoutsSql(settings))
}

/**
 * `client_connection_check_interval` (PostgreSQL 14+): while a statement runs, the server looks at
 * its client's socket this often and ends the statement once the client is gone. Without it, the
 * statement of a runner killed mid-migration runs to its end, holding its locks (and, behind a
 * pooler, the lease lock's row). Platforms without the kernel events it needs refuse it.
 */
export function clientCheckSql(scope: 'local' | 'session'): string {
  return `SELECT pg_catalog.set_config('client_connection_check_interval', '1s', ${scope === 'local'})`
}
