export { checksumOf } from './checksum.js'
export type {
  AcquireLockOptions,
  Driver,
  DriverCapabilities,
  DriverConnection,
  HistorySql,
  HistoryTableName,
  LockHolder,
  ScratchDatabase,
  SqlStatement,
  StatementRole,
  TransactionMode,
} from './driver.js'
export type { FilePosition, MigErrorCode } from './errors.js'
export {
  AbortedError,
  ChecksumMismatchError,
  DatabaseError,
  DuplicateVersionError,
  describeHolder,
  HistoryValidationError,
  InvalidFilenameError,
  InvalidMigrationError,
  InvalidOptionsError,
  IrreversibleMigrationError,
  LockTimeoutError,
  MigError,
  MigrationFailedError,
  MissingMigrationError,
  OutOfOrderMigrationError,
  PartialMigrationError,
  SchemaMismatchError,
  UnknownVersionError,
} from './errors.js'
export type { Logger, MigratorEvent, MigratorEventOf, MigratorEventType, RepairResolution } from './events.js'
export { fromDirectory } from './from-directory.js'
export type { ListedMigration, MigrationDefinition, MigrationFileText } from './from-list.js'
export { fromList } from './from-list.js'
export type { HistoryState } from './history-store.js'
export { DEFAULT_HISTORY_TABLE, qualifiedName, quoteIdentifier } from './history-table.js'
export type {
  CodeStep,
  Migration,
  MigrationContext,
  MigrationFunction,
  MigrationInfo,
  MigrationScripts,
  MigrationSource,
  MigrationStep,
  SqlStep,
} from './migration.js'
export { parseMigrationFile } from './migration-file-parser.js'
export { parseMigrationFilename } from './migration-filename.js'
export type {
  BaselineOptions,
  DownOptions,
  MigrateResult,
  MigrationOutcome,
  MigrationState,
  MigrationStatus,
  MigratorOptions,
  PlannedMigration,
  RepairOptions,
  RunOptions,
  UpOptions,
  ValidationResult,
} from './migrator.js'
export { Migrator } from './migrator.js'
export type { MigrationReversibility, ReversibilityReport, ReversibilityTestOptions } from './reversibility-test.js'
export { REVERSIBILITY_WORDING } from './reversibility-test.js'
export type { SchemaConversion } from './schema-conversion.js'
export { convertSchema } from './schema-conversion.js'
export type { CompareSchemasOptions, DifferenceWording, SchemaDifference } from './schema-diff.js'
export { compareSchemas, describeDifference, formatSchemaDifferences } from './schema-diff.js'
export type { DriftResult } from './schema-drift.js'
export { DRIFT_WORDING } from './schema-drift.js'
export type { DumpOptions } from './schema-dump.js'
export { viewsInCreateOrder } from './schema-order.js'
export type {
  CheckSnapshot,
  ColumnSnapshot,
  EnumSnapshot,
  ForeignKeySnapshot,
  IndexSnapshot,
  NamedDefinition,
  SchemaSnapshot,
  TableSnapshot,
  TriggerSnapshot,
  TypeSnapshot,
  ViewSnapshot,
} from './schema-snapshot.js'
export { normaliseSql, sortSnapshot } from './schema-snapshot.js'
