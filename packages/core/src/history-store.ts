import type { DriverSession, HistorySql } from './driver.js'
import type { MigrationInfo } from './migration.js'

export type HistoryState = 'applied' | 'baselined' | 'failed'

/** One row of the history table. */
export interface HistoryRecord extends MigrationInfo {
  readonly checksum: string
  readonly state: HistoryState
  readonly appliedAt: Date
  readonly executionMs: number
  readonly appliedBy: string
  /** Why a migration failed, or how a row was recorded (a baseline made without verification). */
  readonly detail: string | undefined
}

interface HistoryRow {
  version: number | string | bigint
  name: string
  checksum: string
  state: string
  applied_at: string | Date
  execution_ms: number | string
  applied_by: string
  detail: string | null
}

/** Reads and writes the history table through the driver's dialect text. */
export class HistoryStore {
  constructor(
    private readonly session: DriverSession,
    private readonly sql: HistorySql,
  ) {}

  private tableExists = false

  /** Creates the table when it is missing; called just before the first write. */
  async ensureTable(): Promise<void> {
    if (this.tableExists) return
    await this.session.runScript(this.sql.createTable)
    this.tableExists = true
  }

  /** Every row by version; none while the table does not exist (nothing is created to read it). */
  async list(): Promise<HistoryRecord[]> {
    this.tableExists ||= (await this.session.query(this.sql.tableExists)).length > 0
    if (!this.tableExists) return []
    const rows = await this.session.query<HistoryRow>(this.sql.selectAll)
    return rows.map((row) => {
      const version = Number(row.version)
      return {
        version,
        name: row.name,
        file: `${String(row.version)}_${row.name}`,
        checksum: row.checksum,
        state: row.state as HistoryState,
        appliedAt: row.applied_at instanceof Date ? row.applied_at : new Date(row.applied_at),
        executionMs: Number(row.execution_ms),
        appliedBy: row.applied_by,
        detail: row.detail ?? undefined,
      }
    })
  }

  async insert(record: Omit<HistoryRecord, 'file'>): Promise<void> {
    await this.session.query(this.sql.insert, [
      record.version,
      record.name,
      record.checksum,
      record.state,
      record.appliedAt.toISOString(),
      Math.round(record.executionMs),
      record.appliedBy,
      record.detail ?? null,
    ])
  }

  async update(version: number, fields: Pick<HistoryRecord, 'state' | 'checksum' | 'appliedAt' | 'executionMs' | 'detail'>): Promise<void> {
    await this.session.query(this.sql.update, [
      fields.state,
      fields.checksum,
      fields.appliedAt.toISOString(),
      Math.round(fields.executionMs),
      fields.detail ?? null,
      version,
    ])
  }

  async delete(version: number): Promise<void> {
    await this.session.query(this.sql.delete, [version])
  }
}
