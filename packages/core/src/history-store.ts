import type { DriverSession } from './driver.js'
import type { HistorySql, RepeatableHistorySql } from './history-sql.js'
import type { MigrationInfo } from './migration.js'
import { compareVersions, type MigrationVersion, toVersion } from './migration-version.js'

export type HistoryState = 'applied' | 'baselined' | 'failed'

const STATES: readonly string[] = ['applied', 'baselined', 'failed'] satisfies HistoryState[]

/** One row of the history table. */
export interface HistoryRecord extends MigrationInfo {
  readonly checksum: string
  /** `unreadable` for a row holding values mig did not write; see `unreadable` for why. */
  readonly state: HistoryState | 'unreadable'
  /** Undefined only for a row mig cannot read. */
  readonly appliedAt: Date | undefined
  readonly executionMs: number
  readonly appliedBy: string
  /** Why a migration failed, or how a row was recorded (a baseline made without verification). */
  readonly detail: string | undefined
  /**
   * The down section as it was applied (see {@link recordedDown}); undefined for a code
   * migration, an irreversible one, or a row written by a mig that did not record it.
   */
  readonly downSql: string | undefined
  /** Why mig cannot read this row (a value it did not write); undefined for a readable row. */
  readonly unreadable: string | undefined
}

/** The last application of a repeatable migration, by name. */
export interface RepeatableRecord {
  readonly name: string
  readonly file: string
  readonly checksum: string
  readonly appliedAt: Date | undefined
  readonly executionMs: number
  readonly appliedBy: string
}

/** What a write records. */
export type HistoryEntry = Omit<HistoryRecord, 'unreadable' | 'appliedAt' | 'state'> & {
  readonly state: HistoryState
  readonly appliedAt: Date
}

type HistoryRow = Record<string, unknown>

/** Reads and writes the history table through the driver's dialect text. */
export class HistoryStore {
  constructor(
    private readonly session: DriverSession,
    private readonly sql: HistorySql,
  ) {}

  private tableReady = false
  private tableExists = false
  private repeatableTableExists = false

  /**
   * Creates the table when it is missing, and brings a table made by an older mig up to date
   * (in one transaction); called under the lock, just before the first write.
   */
  async ensureTable(): Promise<void> {
    if (this.tableReady) return
    await this.session.runScript(this.sql.createTable)
    if ((await this.session.query(this.sql.needsUpgrade)).length > 0) {
      await this.session.begin()
      try {
        await this.session.runScript(this.sql.upgradeTable)
        await this.session.commit()
      } catch (error) {
        await this.session.rollback()
        throw error
      }
    }
    this.tableReady = this.tableExists = true
  }

  /** Creates the repeatable migrations' table when it is missing; called under the lock, only by a run that records one. */
  async ensureRepeatableTable(): Promise<void> {
    if (this.repeatableTableExists) return
    // Planning has refused repeatable migrations for a driver without their table.
    await this.session.runScript((this.sql.repeatables as RepeatableHistorySql).createTable)
    this.repeatableTableExists = true
  }

  /** The repeatable migrations applied so far; none while their table does not exist or the driver has none. */
  async listRepeatables(): Promise<RepeatableRecord[]> {
    const sql = this.sql.repeatables
    if (!sql) return []
    this.repeatableTableExists ||= (await this.session.query(sql.tableExists)).length > 0
    if (!this.repeatableTableExists) return []
    const rows = await this.session.query<HistoryRow>(sql.selectAll)
    return rows.map((row) => ({
      name: String(row.name),
      file: String(row.file),
      checksum: String(row.checksum),
      appliedAt: timeOf(row.applied_at),
      executionMs: Number(row.execution_ms) || 0,
      appliedBy: String(row.applied_by ?? ''),
    }))
  }

  /** Records that a repeatable migration was applied, replacing what was recorded for its name. */
  async recordRepeatable(record: Omit<RepeatableRecord, 'appliedAt'> & { readonly appliedAt: Date }): Promise<void> {
    // Planning has refused repeatable migrations for a driver without their table.
    const sql = this.sql.repeatables as RepeatableHistorySql
    await this.session.query(sql.upsert, [
      record.name,
      record.file,
      record.checksum,
      record.appliedAt.toISOString(),
      Math.round(record.executionMs),
      record.appliedBy,
    ])
  }

  /** Deletes the record of a repeatable migration; called only after it was listed, so the table exists. */
  async forgetRepeatable(name: string): Promise<void> {
    await this.session.query((this.sql.repeatables as RepeatableHistorySql).delete, [name])
  }

  /**
   * Every row by version; none while the table does not exist (nothing is created or changed to
   * read it). One query when the table is there, the common case; only when reading fails is
   * the table looked for, so a database without it reads as empty and any other error stands.
   */
  async list(): Promise<HistoryRecord[]> {
    let rows: HistoryRow[]
    try {
      rows = await this.session.query<HistoryRow>(this.sql.selectAll)
    } catch (error) {
      if (this.tableExists || (await this.session.query(this.sql.tableExists)).length > 0) throw error
      return []
    }
    this.tableExists = true
    return rows.map(toRecord).sort((a, b) => compareVersions(a.version, b.version))
  }

  async insert(record: HistoryEntry): Promise<void> {
    await this.session.query(this.sql.insert, [
      String(record.version),
      record.name,
      record.checksum,
      record.state,
      record.appliedAt.toISOString(),
      Math.round(record.executionMs),
      record.appliedBy,
      record.detail ?? null,
      record.file,
      record.downSql ?? null,
    ])
  }

  async update(
    version: MigrationVersion,
    fields: Pick<HistoryEntry, 'state' | 'checksum' | 'appliedAt' | 'executionMs' | 'detail'>,
  ): Promise<void> {
    await this.session.query(this.sql.update, [
      fields.state,
      fields.checksum,
      fields.appliedAt.toISOString(),
      Math.round(fields.executionMs),
      fields.detail ?? null,
      String(version),
    ])
  }

  async delete(version: MigrationVersion): Promise<void> {
    await this.session.query(this.sql.delete, [String(version)])
  }
}

/** A row as mig reads it; a value mig did not write makes the row unreadable, never a crash. */
function toRecord(row: HistoryRow): HistoryRecord {
  const problems: string[] = []
  const version = toVersion(typeof row.version === 'string' ? row.version : (row.version as number | bigint | undefined))
  if (version === undefined) problems.push(`version ${JSON.stringify(String(row.version))} is not a whole number`)
  const name = typeof row.name === 'string' ? row.name : String(row.name ?? '')
  const state = String(row.state)
  if (!STATES.includes(state)) problems.push(`state "${state}" is not one mig writes (${STATES.join(', ')})`)
  const appliedAt = timeOf(row.applied_at)
  if (!appliedAt) problems.push(`applied_at "${String(row.applied_at)}" is not a time`)
  const executionMs = Number(row.execution_ms)
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  return {
    version: version ?? 0,
    name,
    file: text(row.file) ?? `${String(row.version)}_${name}`,
    checksum: String(row.checksum),
    state: problems.length ? 'unreadable' : (state as HistoryState),
    appliedAt,
    executionMs: Number.isFinite(executionMs) ? executionMs : 0,
    appliedBy: String(row.applied_by ?? ''),
    detail: text(row.detail),
    downSql: text(row.down_sql),
    unreadable: problems.length ? problems.join('; ') : undefined,
  }
}

/** A time column as the driver returns it (a Date, or text such as SQLite's), or undefined when it is not a time. */
function timeOf(value: unknown): Date | undefined {
  const time = value instanceof Date ? value : new Date(String(value))
  return Number.isNaN(time.getTime()) ? undefined : time
}
