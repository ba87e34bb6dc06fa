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
} from './stations.js';
export { deleteIdToken, findIdToken, upsertIdToken, type IdTokenRecord } from './id-tokens.js';
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
export { sql, type Kysely, type Transaction } from 'kysely';
