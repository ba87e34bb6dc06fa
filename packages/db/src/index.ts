export type * from './schema.js';
export {
  MigrationError,
  migrateToLatest,
  openDatabase,
  type DatabaseConfig,
  type DatabaseHandle,
} from './database.js';
export { hashPassword, normalizePassword, verifyPassword } from './password.js';
export {
  autoRegisterStation,
  checkStationPassword,
  findStation,
  recordBoot,
  recordHeartbeat,
  setBootPolicy,
  setStationPassword,
  upsertStation,
  type BootInfo,
  type CredentialCheck,
  type StationRegistration,
  deleteStation,
  listStations,
} from './stations.js';
export {
  deleteIdToken,
  findIdToken,
  insertIdToken,
  listIdTokens,
  updateIdToken,
  upsertIdToken,
  type IdTokenChanges,
  type IdTokenQuery,
  type IdTokenRecord,
} from './id-tokens.js';
export {
  claimQueuedCommand,
  enqueueCommand,
  expireQueuedCommands,
  failInterruptedDeliveries,
  findQueuedCommand,
  finishQueuedCommand,
  hasPendingQueuedCommands,
  nextQueuedCommand,
  requeueCommand,
  type EnqueueResult,
  type NewQueuedCommand,
} from './queued-commands.js';
export { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
export {
  authorizeIdToken,
  type AuthorizationDecision,
  type AuthorizationStatus,
  type AuthorizeOptions,
} from './authorization.js';
export { checkPartitionFence } from './partition-fence.js';
export {
  OCPP16,
  OCPP201,
  findV16Transaction,
  recordMeterValues,
  storeMeterValues,
  type MeterValueSet,
  type MeterValuesRecord,
  type RecordMeterValuesInput,
  type StoreMeterValuesInput,
} from './transaction-records.js';
export {
  foldTransactionId,
  recordStartTransaction16,
  recordStopTransaction16,
  startKeyOf,
  type StartTransaction16Input,
  type StartTransaction16Record,
  type StopTransaction16Input,
  type StopTransaction16Record,
} from './transaction-records-v16.js';
export {
  energyRegisterSamples,
  recordTransactionEvent201,
  type TransactionEvent201,
  type TransactionEvent201Record,
} from './transaction-records-v201.js';
