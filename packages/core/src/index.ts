export { checksumOf } from './checksum.js'
export { defineDriver } from './define-driver.js'
export type {
  DialectText,
  DialectTextDefinition,
  Driver,
  DriverCapabilities,
  DriverDefinition,
  DriverSession,
  FencedMigrationLock,
  HistorySql,
  HistoryTableName,
  LockHolder,
  LockPart,
  LockWait,
  MigrationLock,
  MigrationTransaction,
  SchemaObjectRef,
  SchemaPart,
  ScratchDatabase,
  SqlStatement,
  StatementRole,
} from './driver.js'
export type { DatabaseErrorOptions, MigErrorCode } from './errors.js'
export {
  BaselineRefusedError,
  DatabaseError,
  DuplicateVersionError,
  InvalidFilenameError,
  InvalidMigrationError,
  InvalidOptionsError,
  MigError,
  RepairRefusedError,
  SchemaConversionError,
  UnknownVersionError,
  UnsupportedFeatureError,
} from './errors.js'
export type { Logger, MigratorEvent, MigratorEventOf, MigratorEventType, RepairResolution } from './events.js'
export { fromDirectory } from './from-directory.js'
export type { ListedMigration, MigrationDefinition, MigrationFileText } from './from-list.js'
export { fromList } from './from-list.js'
export {
  ChecksumMismatchError,
  HistoryValidationError,
  MissingMigrationError,
  OutOfOrderMigrationError,
  PartialMigrationError,
  SchemaMismatchError,
} from './history-errors.js'
export type { HistoryState } from './history-store.js'
export { DEFAULT_HISTORY_TABLE } from './history-table.js'
export { assertPlainIdentifier } from './identifier.js'
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
export { isMigrationName, MIGRATION_NAME_RULE, parseMigrationFilename } from './migration-filename.js'
export { Migrator } from './migrator.js'
export type { BaselineOptions, DownOptions, MigratorOptions, RunOptions, TransactionMode, UpOptions } from './migrator-options.js'
export type {
  MigrateResult,
  MigrationOutcome,
  MigrationProblem,
  MigrationState,
  MigrationStatus,
  PlannedMigration,
  ValidationResult,
} from './migrator-results.js'
export { Redactor, redactUrl, secretsOf } from './redaction.js'
export type { RepairOptions } from './repair.js'
export type { FilePosition, MigrationFailedErrorOptions } from './run-errors.js'
export { AbortedError, IrreversibleMigrationError, LockLostError, LockTimeoutError, MigrationFailedError } from './run-errors.js'
export type { SchemaConversion } from './schema-conversion.js'
export { convertSchema } from './schema-conversion.js'
export type { CompareSchemasOptions, SchemaDifference } from './schema-diff.js'
export { compareSchemas, formatSchemaDifferences } from './schema-diff.js'
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
  ViewSnapshot,
} from './schema-snapshot.js'
export { normaliseSql, sortSnapshot } from './schema-snapshot.js'
