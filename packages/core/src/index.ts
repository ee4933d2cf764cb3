export { checksumOf } from './checksum.js'
export type { DatabaseLifecycleOptions, DatabaseProbe } from './database-lifecycle.js'
export { defineDriver } from './define-driver.js'
export type {
  ConnectOptions,
  DialectText,
  DialectTextDefinition,
  Driver,
  DriverCapabilities,
  DriverDefinition,
  DriverSession,
  FencedMigrationLock,
  HistoryTableName,
  LockHolder,
  LockPart,
  LockWait,
  MigrationLock,
  MigrationTransaction,
  SchemaChanges,
  SchemaObjectRef,
  SchemaPart,
  ScratchDatabase,
  SqlRange,
  SqlStatement,
} from './driver.js'
export { isDuration } from './duration.js'
export type { DatabaseErrorOptions, MigErrorCode } from './errors.js'
export {
  BaselineRefusedError,
  DatabaseError,
  DuplicateVersionError,
  describeHolder,
  InvalidFilenameError,
  InvalidMigrationError,
  InvalidOptionsError,
  MigError,
  RenumberRefusedError,
  RepairRefusedError,
  SchemaConversionError,
  UnknownVersionError,
  UnsupportedFeatureError,
} from './errors.js'
export type { Logger, MigratorEvent, MigratorEventOf, MigratorEventType, RepairResolution } from './events.js'
export type { FleetResult, FleetWork, MigrateFleetOptions } from './fleet.js'
export { migrateFleet, runFleet } from './fleet.js'
export type { FleetEvent, FleetStopReason, TargetOutcome, TargetState } from './fleet-events.js'
export type { FleetMigratorOptions, FleetOptions } from './fleet-options.js'
export type { FleetShard, FleetTarget } from './fleet-target.js'
export { isInShard } from './fleet-target.js'
export { fromDirectory } from './from-directory.js'
export type { ListedMigration, MigrationDefinition, MigrationFileText } from './from-list.js'
export { fromList } from './from-list.js'
export type { DifferingRepeatable, MissingMigration } from './history-errors.js'
export {
  ChecksumMismatchError,
  HistoryValidationError,
  MissingMigrationError,
  OutOfOrderMigrationError,
  PartialMigrationError,
  ReplacedMigrationError,
  SchemaMismatchError,
  UnreadableHistoryError,
} from './history-errors.js'
export type { HistorySql, RepeatableHistorySql } from './history-sql.js'
export type { HistoryState } from './history-store.js'
export { DEFAULT_HISTORY_TABLE, repeatableTableOf } from './history-table.js'
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
  RepeatableMigration,
  SqlStep,
} from './migration.js'
export type { MigrationFileKind } from './migration-file-parser.js'
export { parseMigrationFile } from './migration-file-parser.js'
export { isCodeMigrationFile, isMigrationName, MIGRATION_NAME_RULE, parseMigrationFilename } from './migration-filename.js'
export {
  editedSinceSum,
  MIGRATION_SUM_FILE,
  MigrationSumMismatchError,
  renderMigrationSum,
  verifyMigrationSum,
} from './migration-sum.js'
export type { MigrationVersion } from './migration-version.js'
export { compareVersions, versionFromDigits } from './migration-version.js'
export { Migrator } from './migrator.js'
export type {
  BaselineOptions,
  DownOptions,
  MigratorOptions,
  ReadOptions,
  RunOptions,
  TransactionMode,
  UpOptions,
} from './migrator-options.js'
export type {
  MigrateResult,
  MigrationOutcome,
  MigrationProblem,
  MigrationState,
  MigrationStatus,
  PlannedMigration,
  RepeatableStatus,
  StatusOverview,
  ValidationResult,
} from './migrator-results.js'
export type { ExistingVersion, VersionStyle } from './next-version.js'
export { highestVersion, timestampOf, VERSION_STYLES, versionDigitsOf, versionsAfter } from './next-version.js'
export { refuseUnknownOptions } from './option-names.js'
export type { FilledFileText, Placeholders } from './placeholders.js'
export { isPlaceholderName, PLACEHOLDER_NAME_RULE, substituteFileText, UnknownPlaceholderError } from './placeholders.js'
export { Redactor, redactUrl, secretsOf } from './redaction.js'
export type { RedoResult } from './redo.js'
export type { Renumbering, RenumberOptions } from './renumbering.js'
export type { RepairOptions } from './repair.js'
export type { RepeatableState } from './repeatable-history.js'
export type { MigrationReversibility, ReversibilityReport, ReversibilityTestOptions } from './reversibility-test.js'
export { REVERSIBILITY_WORDING } from './reversibility-test.js'
export type {
  FailedMigrationOutcome,
  FilePosition,
  InterruptedMigration,
  InterruptedOutcome,
  MigrationFailedErrorOptions,
  MigrationStage,
} from './run-errors.js'
export {
  AbortedError,
  ConnectionLostError,
  IrreversibleMigrationError,
  LockLostError,
  LockTimeoutError,
  MigrationFailedError,
} from './run-errors.js'
export type { SchemaConversion } from './schema-conversion.js'
export { convertSchema } from './schema-conversion.js'
export type { CompareSchemasOptions, SchemaDifference } from './schema-diff.js'
export { compareSchemas } from './schema-diff.js'
export type { DifferenceWording } from './schema-difference-wording.js'
export { describeDifference, formatSchemaDifferences } from './schema-difference-wording.js'
export type { DriftOptions, DriftResult } from './schema-drift.js'
export { DRIFT_WORDING } from './schema-drift.js'
export type { DumpOptions } from './schema-dump.js'
export { viewsInCreateOrder } from './schema-order.js'
export type {
  CheckSnapshot,
  ColumnSnapshot,
  ConstraintTiming,
  DeferrableKey,
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
export { normaliseSql, pairBy, sortSnapshot } from './schema-snapshot.js'
export type { ClientOnlyStatement, StatementRole } from './statement-role.js'
