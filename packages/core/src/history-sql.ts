/**
 * The dialect text of the history table's statements. Parameters are positional, in the order
 * given for each statement, written in the dialect's placeholder style (`?` or `$1`).
 *
 * Columns: version (a whole number of any length: PostgreSQL `NUMERIC`, SQLite `TEXT`; core
 * passes it as decimal digits and reads a number, bigint or digits), name (text), checksum
 * (text), state (text: `applied`, `baselined` or `failed`), applied_at (timestamp or ISO
 * text), execution_ms (integer), applied_by (text), detail (text: why it failed, or how it was
 * recorded; usually null), file (text: the migration's file name), down_sql (text: the down
 * section as applied, for reverting without the file; null for code migrations).
 *
 * A table made by an older mig lacks the last two columns and holds version as a 64-bit
 * integer. Reading must work on it unchanged (read-only commands change nothing);
 * `upgradeTable` brings it up to date before the first write.
 */
export interface HistorySql {
  /** Creates the table (and schema) if missing, in the newest layout. Must be safe to run when it exists. */
  readonly createTable: string
  /** One parameterless query that returns at least one row when the table exists, none otherwise. */
  readonly tableExists: string
  /** One parameterless query that returns at least one row when the table exists in an older layout. */
  readonly needsUpgrade: string
  /**
   * A script that turns the table of an older layout into the newest, keeping every row; core
   * runs it in a transaction, holding the lock. Old versions of mig must still be able to read
   * and write the result.
   */
  readonly upgradeTable: string
  /** Every row with every column the table has (`SELECT *`: an older table lacks some), ordered by version. */
  readonly selectAll: string
  /** Params: version, name, checksum, state, applied_at (ISO string), execution_ms, applied_by, detail, file, down_sql. */
  readonly insert: string
  /** Params: state, checksum, applied_at (ISO string), execution_ms, detail, version. */
  readonly update: string
  /** Params: version. */
  readonly delete: string
  /**
   * Optional: a parameterless script that core runs in a transaction on a new session; it
   * returns once no transaction that wrote to the history table is under way (PostgreSQL: a
   * `SHARE` lock on it), and fails after a few seconds, on the server too, when one still is.
   * Core runs it when the connection was lost while a migration's last history write (its
   * COMMIT) was under way, then reads the row to learn whether that write took effect: the
   * server may still be committing it. Without it, core reports that outcome as unknown.
   */
  readonly waitForWriters?: string
  /**
   * Optional: the table of repeatable migrations; without it a repeatable migration is refused
   * before anything runs. Named by `repeatableTableOf` (exported by core), beside the history table, so
   * that a history table of any age is left as it is and older mig versions never see it.
   */
  readonly repeatables?: RepeatableHistorySql
}

/**
 * The statements of the repeatable migrations' table. Columns: name (text, primary key), file
 * (text), checksum (text), applied_at (timestamp or ISO text), execution_ms (integer),
 * applied_by (text). One row per name: the last time that migration was applied.
 */
export interface RepeatableHistorySql {
  /** Creates the table if missing. Must be safe to run when it exists; core runs it, after the history table's, before the first repeatable migration is recorded. */
  readonly createTable: string
  /** One parameterless query that returns at least one row when the table exists, none otherwise. */
  readonly tableExists: string
  /** Every row with every column. */
  readonly selectAll: string
  /** Params: name, file, checksum, applied_at (ISO string), execution_ms, applied_by. Inserts the row, or replaces the row of that name. */
  readonly upsert: string
  /** Params: name. Deletes the row of that name (`mig repair <name> --forget`, once its file is gone). */
  readonly delete: string
  /**
   * Optional: as {@link HistorySql.waitForWriters}, for this table: core runs it when a
   * repeatable migration's COMMIT lost its answer, then reads the row of its name. Without it,
   * core reports that outcome as unknown.
   */
  readonly waitForWriters?: string
}
