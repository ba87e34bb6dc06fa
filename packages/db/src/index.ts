/**
 * @csms/db: the CSMS database. One folder per domain owns its tables (Kysely types in `schema.ts`, the
 * DDL the migrations run in `tables.ts`) and every SQL statement on them; other code calls the domains'
 * functions, passing its Kysely transaction where several writes must commit together.
 */
export type * from './schema.js';
export {
  MigrationError,
  migrateToLatest,
  openDatabase,
  type DatabaseConfig,
  type DatabaseHandle,
} from './database.js';
export { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';

// stations: stations, connectors
export { hashPassword, normalizePassword, verifyPassword } from './stations/password.js';
export {
  autoRegisterStation,
  checkStationPassword,
  deleteStation,
  findStation,
  listStations,
  lockStation,
  recordBoot,
  raiseSecurityProfile,
  recordHeartbeat,
  registeredStationIds,
  setBootPolicy,
  setSecurityProfile,
  setStationPassword,
  upsertStation,
  type BootInfo,
  type CredentialCheck,
  type StationRegistration,
} from './stations/stations.js';
export { findStationOcppVersion } from './stations/ocpp-version.js';
export {
  reportedEvseIds,
  upsertConnectorStatus,
  type ConnectorStatusInput,
  type ConnectorStatusWrite,
} from './stations/connectors.js';

// station-reports: station_notifications, security_events, device_reports, device_events,
// station_message_limits
export { storeStationNotification } from './station-reports/notifications.js';
export {
  customerInformationParts,
  type CustomerInformationPart,
} from './station-reports/customer-information.js';
export { storeDeviceEvent, storeDeviceReport, storeSecurityEvent } from './station-reports/device-reports.js';
export {
  reportedVariableValues,
  saveMessageLimits,
  storedMessageLimits,
  type DeviceVariableRef,
  type MessageLimitWrite,
  type ReportedVariableValue,
  type StoredMessageLimit,
} from './station-reports/message-limits.js';

// station-certificates: station_certificates (the certificates the CSMS's CA issued)
export {
  certificatesDueForRenewal,
  claimCertificateRenewal,
  isCertificateRevoked,
  listStationCertificates,
  recordCertificateAnswer,
  recordIssuedCertificate,
  revokeStationCertificate,
  type CertificateQuery,
  type IssuedCertificate,
  type RenewalQuery,
  type StationCertificateRow,
} from './station-certificates/certificates.js';

// id-tokens: id_tokens, local_auth_lists, local_auth_list_entries; the authorization decision
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
} from './id-tokens/id-tokens.js';
export {
  authorizeIdToken,
  type AuthorizationDecision,
  type AuthorizationStatus,
  type AuthorizeOptions,
} from './id-tokens/authorization.js';
export {
  commitListUpdate,
  storedListEntries,
  storedListVersion,
  type LocalListChange,
  type StoredLocalList,
} from './id-tokens/local-lists.js';
export { localListEntriesOfIdToken, type StationListEntryRow } from './id-tokens/customer-data.js';

// transactions: transactions, transaction_events, meter_values
export { OCPP16, OCPP201, findV16Transaction } from './transactions/transaction-lookup.js';
export {
  recordMeterValues,
  storeMeterValues,
  type MeterValueSet,
  type MeterValuesRecord,
  type RecordMeterValuesInput,
  type StoreMeterValuesInput,
} from './transactions/meter-values.js';
export {
  foldTransactionId,
  recordStartTransaction16,
  recordStopTransaction16,
  startKeyOf,
  type StartTransaction16Input,
  type StartTransaction16Record,
  type StopTransaction16Input,
  type StopTransaction16Record,
} from './transactions/records-v16.js';
export {
  recordTransactionEvent201,
  type RecordTransactionEvent201Options,
  type TransactionEvent201Record,
} from './transactions/records-v201.js';
export {
  isPeriodicTransactionEvent201,
  recordPeriodicTransactionEvent201,
} from './transactions/periodic-event-201.js';
export type { TransactionEvent201 } from './transactions/transaction-event-201.js';
export { energyRegisterSamples, transactionEnergyWh } from './transactions/energy-register.js';
export {
  DEFAULT_CONCURRENCY_POLICY,
  hasConcurrentTransaction,
  type ConcurrencyPolicy,
  type ConcurrencyScope,
} from './transactions/concurrent-transaction.js';
export { endTransactionByOperator, type OperatorEndOutcome } from './transactions/csms-end.js';
export {
  findTransactionRow,
  listMeterValueRows,
  listTransactionEventRows,
  listTransactionRows,
  meterValueStats,
  transactionEventCount,
  type MeterValueFilter,
  type TransactionFilter,
} from './transactions/queries.js';
export {
  meterValuesOfTransactions,
  transactionEventKeys,
  transactionsOfStations,
} from './transactions/ledger-reads.js';
export { endedTransactionIds } from './transactions/ended-transactions.js';

// display-messages: display_messages, display_message_requests (2.0.1 O01-O06)
export {
  listDisplayMessages,
  removeDisplayMessage,
  storeAcceptedDisplayMessage,
  upsertDisplayMessage,
  type DisplayMessageFilter,
} from './display-messages/display-messages.js';
export {
  findDisplayMessageRequest,
  recordDisplayMessagesAnswer,
  startDisplayMessageRequest,
  storeDisplayMessagesPart,
  type DisplayMessagesPart,
} from './display-messages/message-reports.js';

// monitoring: variable_monitors, monitoring_report_requests, monitoring_settings, monitoring_events (2.0.1 N02-N08)
export {
  findMonitors,
  listMonitors,
  recordMonitorKinds,
  removeMonitors,
  storeSetMonitors,
  upsertReportedMonitors,
  type MonitorFilter,
  type MonitorInput,
} from './monitoring/monitors.js';
export { acceptedMonitorsOf } from './monitoring/accepted-monitors.js';
export {
  findMonitoringReportRequest,
  listCoveredMonitors,
  recordMonitoringReportAnswer,
  startMonitoringReportRequest,
  storeMonitoringReportPart,
  type MonitoringReportPart,
} from './monitoring/monitoring-reports.js';
export {
  findMonitoringSettings,
  monitorsDroppedBy,
  recordMonitoringBase,
  recordMonitoringLevel,
} from './monitoring/monitoring-settings.js';
export {
  listMonitoringEvents,
  storeMonitoringEvents,
  type MonitoringEventInput,
} from './monitoring/monitoring-events.js';

// charging-profiles: charging_profiles
export {
  deleteEndedTxProfiles,
  deleteStoredProfiles,
  findConflictingProfile,
  listStoredProfiles,
  saveAcceptedProfile,
  type AcceptedProfile,
  type ProfileFilter,
  type ProfileSelector,
} from './charging-profiles/profiles.js';
// charging-profiles: reported_charging_profiles (what 2.0.1 stations report, K09)
export {
  findChargingProfilesReport,
  hasChargingProfilesReport,
  storeReportedProfiles,
  type ChargingProfilesReport,
  type ReportedProfilesPart,
} from './charging-profiles/reported-profiles.js';
// charging-profiles: external_charging_limits (NotifyChargingLimit / ClearedChargingLimit, K11-K14)
export {
  clearExternalChargingLimits,
  listExternalChargingLimits,
  storeExternalChargingLimit,
  type ExternalChargingLimit,
} from './charging-profiles/external-limits.js';
// charging-profiles: ev_charging_needs, ev_charging_schedules (ISO 15118 smart charging, K15-K17)
export {
  activeTransactionOnEvse,
  listEvChargingNeeds,
  listEvChargingSchedules,
  nextEvProfileId,
  setEvOperatorLimit,
  storeEvChargingNeeds,
  storeEvChargingSchedule,
  type EvChargingNeeds,
  type EvChargingSchedule,
} from './charging-profiles/ev-charging.js';
export {
  computeEvSchedule,
  convertLimit,
  evMaximum,
  exceedingPeriod,
  profileSpans,
  reducePeriods,
  scheduleSpans,
  siteLimitSpans,
  type Electrical,
  type EvScheduleInput,
  type LimitSpan,
  type RateUnit,
} from './charging-profiles/ev-schedule.js';
// charging-profiles: charging_sites, charging_site_stations (a site's power for the EV schedules, K15-K17)
export {
  deleteChargingSite,
  listChargingSites,
  setChargingSite,
  siteEvChargingNeeds,
  unknownStationIds,
  type ChargingSite,
} from './charging-profiles/charging-sites.js';
export {
  evScheduleLimits,
  evTxPlan,
  lowersTxProfile,
  planEvTxProfile,
  raisesTxProfile,
  siteBudgetW,
  txProfileStored,
  txProfileStoredSince,
  type EvTxPlan,
  type EvTxProfileInput,
} from './charging-profiles/ev-tx-profile.js';
export { equalShares, type ShareClaim } from './charging-profiles/site-shares.js';

// campaigns: campaigns, campaign_stations
export {
  cancelCampaign,
  completeIfDone,
  findCampaign,
  insertCampaign,
  listCampaigns,
  orphanedCampaigns,
  releaseLease,
  takeLease,
  type NewCampaign,
} from './campaigns/campaigns.js';
export {
  ACTIVE_STATUSES,
  FINAL_STATUSES,
  claimNextStation,
  failInterruptedSends,
  failSilentStations,
  findNotifiedCampaignStation,
  listCampaignStations,
  recordCall,
  recordCampaignNotification,
  recordVerdict,
  statusCounts,
  type CampaignStationVerdict,
  type ClaimedStation,
  type NotifiedCommand,
} from './campaigns/campaign-stations.js';
export {
  cancelSupersededCommands,
  findNextCommand,
  type LaterCommand,
  type SupersedingCommand,
} from './campaigns/superseded-commands.js';

// queued-commands: queued_commands
export {
  claimQueuedCommand,
  enqueueCommand,
  expireQueuedCommands,
  failInterruptedDeliveries,
  findQueuedCommand,
  finishQueuedCommand,
  hasPendingQueuedCommands,
  listStationQueuedCommands,
  nextQueuedCommand,
  requeueCommand,
  type EnqueueResult,
  type NewQueuedCommand,
} from './queued-commands/queued-commands.js';

// reservations: reservations (1.6 §5.13 ReserveNow, 2.0.1 H01-H04)
export {
  cancelReservation,
  consumeReservation,
  endReservation,
  expireReservations,
  findConsumableReservation,
  findOverlappingReservation,
  findReservation,
  listReservations,
  removeReservationsOf,
  storeReservation,
  type ConsumingStart,
  type NewReservation,
  type ReservationQuery,
  type ReservationRow,
} from './reservations/reservations.js';

// tariffs: tariffs, transaction_costs (2.0.1 I01-I06)
export {
  anyTariffDefined,
  createTariff,
  deleteTariff,
  findApplicableTariff,
  findTariff,
  findTariffWithoutGroup,
  listTariffs,
  updateTariff,
  type Tariff,
  type TariffChanges,
  type TariffQuery,
  type TariffScope,
} from './tariffs/tariffs.js';
export { findTransactionCost, storeTransactionCost } from './tariffs/transaction-costs.js';
export {
  computeCost,
  minorUnitDigits,
  type CostInput,
  type TariffPrices,
  type TransactionCost,
} from './tariffs/cost.js';
export {
  tariffForTransaction,
  transactionCostOf,
  type CostFacts,
  type TariffFacts,
} from './tariffs/transaction-cost.js';

// fences: partition_fences, partition_ownership_log
export {
  checkPartitionFence,
  logPartitionOwnership,
  raisePartitionFence,
  recentPartitionOwnership,
} from './fences/fences.js';
export { FenceRejectedError, fencedStatements, fencedTransaction } from './fences/fenced-transaction.js';

// retention: the domains' history tables pruned by age (CSMS_REPORT_RETENTION_DAYS, CSMS_SECURITY_EVENT_RETENTION_DAYS)
export { HISTORY_TABLES, pruneHistory, type RetentionCutoffs } from './retention.js';
export type { PrunedTable } from './prune-batch.js';
