import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The CSMS database schema as Kysely types. Tables and columns are snake_case in SQL and here (no
 * camel-case plugin). Migrations (in `migrations/`) are the authority; keep these in step with them.
 */
export interface Database {
  stations: StationsTable;
  connectors: ConnectorsTable;
  id_tokens: IdTokensTable;
  transactions: TransactionsTable;
  transaction_events: TransactionEventsTable;
  meter_values: MeterValuesTable;
  security_events: SecurityEventsTable;
  station_notifications: StationNotificationsTable;
  device_reports: DeviceReportsTable;
  device_events: DeviceEventsTable;
  partition_fences: PartitionFencesTable;
  partition_ownership_log: PartitionOwnershipLogTable;
  queued_commands: QueuedCommandsTable;
  local_auth_lists: LocalAuthListsTable;
  local_auth_list_entries: LocalAuthListEntriesTable;
  campaigns: CampaignsTable;
  campaign_stations: CampaignStationsTable;
  charging_profiles: ChargingProfilesTable;
}

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as parsed JSON, written as a JSON string (pg and PGlite both accept that). */
type Json<T = unknown> = ColumnType<T, string, string>;
type NullableJson<T = unknown> = ColumnType<T | null, string | null, string | null>;

export type BootPolicy = 'Accepted' | 'Pending' | 'Rejected';
export type RegistrationStatus = BootPolicy;

export interface StationsTable {
  /** The OCPP identity (last path segment of the connection URL). */
  id: string;
  /** `scrypt$…` hash of the Basic-auth password (Security Profiles 1 and 2); null = none set. */
  password_hash: string | null;
  /** 0 = no authentication (development), 1 = Basic, 2 = TLS + Basic, 3 = mutual TLS. */
  security_profile: number;
  /** Answer to BootNotification for this station; null = the CSMS-wide default. */
  boot_policy: BootPolicy | null;
  /** Created automatically on first connection (embedded default), not by an operator. */
  auto_registered: Generated<boolean>;
  ocpp_version: string | null;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  firmware_version: string | null;
  modem_iccid: string | null;
  modem_imsi: string | null;
  meter_type: string | null;
  meter_serial_number: string | null;
  /** The status the last BootNotification was answered with. */
  registration_status: RegistrationStatus | null;
  last_boot_at: Timestamp | null;
  last_heartbeat_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/**
 * Last reported status per connector. OCPP 1.6 connector N is stored as evse_id = N, connector_id = N,
 * with connector 0 (the whole Charge Point) as (0, 0); OCPP 2.0.1 uses its EVSE/connector ids.
 */
export interface ConnectorsTable {
  station_id: string;
  evse_id: number;
  connector_id: number;
  status: string;
  error_code: string | null;
  info: string | null;
  vendor_id: string | null;
  vendor_error_code: string | null;
  status_at: Timestamp;
  updated_at: UpdatedAt;
}

export type IdTokenStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';

export interface IdTokensTable {
  /** The token value (1.6 idTag, 2.0.1 idToken.idToken). */
  id_token: string;
  /** 2.0.1 IdTokenEnumType; null matches any type. */
  type: string | null;
  status: IdTokenStatus;
  expires_at: Timestamp | null;
  /** 1.6 parentIdTag / 2.0.1 groupIdToken. */
  group_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TransactionsTable {
  /** Internal key; for OCPP 1.6 it is also the transactionId the CSMS issues. */
  id: Generated<string>;
  station_id: string;
  ocpp_version: string;
  /** The OCPP transaction id: 2.0.1 the station's string id, 1.6 the CSMS-issued integer as text. */
  transaction_id: string;
  evse_id: number | null;
  connector_id: number | null;
  id_token: string | null;
  id_token_type: string | null;
  state: 'active' | 'ended';
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  /** Wh. */
  meter_start: number | null;
  meter_stop: number | null;
  stop_reason: string | null;
  charging_state: string | null;
  last_seq_no: number | null;
  remote_start_id: number | null;
  reservation_id: number | null;
  /** Identifies a 1.6 StartTransaction so that a retry gets the same transactionId back. */
  start_key: string | null;
  /** Lease epoch of the worker that inserted the row (distributed mode; null in embedded mode). */
  owner_epoch: Generated<string | null>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** Every OCPP 2.0.1 TransactionEvent, unique per (station, transaction, seqNo): retries are no-ops. */
export interface TransactionEventsTable {
  id: Generated<string>;
  station_id: string;
  transaction_id: string;
  seq_no: number;
  event_type: string;
  trigger_reason: string;
  timestamp: Timestamp;
  offline: boolean;
  payload: Json;
  owner_epoch: Generated<string | null>;
  received_at: CreatedAt;
}

export interface MeterValuesTable {
  id: Generated<string>;
  station_id: string;
  /** transactions.id, when the values belong to a transaction. */
  transaction_ref: string | null;
  evse_id: number | null;
  connector_id: number | null;
  timestamp: Timestamp;
  /** The OCPP sampledValue array as sent. */
  sampled_values: Json<unknown[]>;
  /** Which message carried them (MeterValues, StopTransaction, TransactionEvent). */
  source: string;
  /** Hash of (source, transaction, connector, timestamp, values): retries are no-ops. */
  dedupe_key: string;
  owner_epoch: Generated<string | null>;
  received_at: CreatedAt;
}

export interface SecurityEventsTable {
  id: Generated<string>;
  station_id: string;
  type: string;
  timestamp: Timestamp;
  tech_info: string | null;
  received_at: CreatedAt;
}

/** Firmware / diagnostics / log status notifications and DataTransfer messages, as received. */
export interface StationNotificationsTable {
  id: Generated<string>;
  station_id: string;
  action: string;
  payload: Json;
  /** Hash of (action, message id, payload): a retried CALL is stored once. */
  dedupe_key: string;
  received_at: CreatedAt;
}

/** OCPP 2.0.1 NotifyReport parts. */
export interface DeviceReportsTable {
  id: Generated<string>;
  station_id: string;
  request_id: number;
  seq_no: number;
  generated_at: Timestamp;
  tbc: boolean;
  report_data: Json;
  received_at: CreatedAt;
}

/** OCPP 2.0.1 NotifyEvent messages. */
export interface DeviceEventsTable {
  id: Generated<string>;
  station_id: string;
  seq_no: number;
  generated_at: Timestamp;
  tbc: boolean;
  event_data: Json;
  received_at: CreatedAt;
}

export type StationRow = Selectable<StationsTable>;
export type InsertableStationRow = Insertable<StationsTable>;
export type UpdateableStationRow = Updateable<StationsTable>;
export type ConnectorRow = Selectable<ConnectorsTable>;
export type IdTokenRow = Selectable<IdTokensTable>;
export type TransactionRow = Selectable<TransactionsTable>;
export type MeterValueRow = Selectable<MeterValuesTable>;

/** The current owner epoch of each partition (distributed mode). */
export interface PartitionFencesTable {
  partition: number;
  epoch: string;
  owner: string;
  acquired_at: CreatedAt;
}

/** Every acquisition, release and fencing of a partition, for audits and tests. */
export interface PartitionOwnershipLogTable {
  id: Generated<string>;
  partition: number;
  epoch: string;
  owner: string;
  event: 'acquired' | 'released' | 'fenced';
  at: CreatedAt;
}

export type QueuedCommandStatus = 'queued' | 'delivering' | 'done' | 'expired' | 'failed';

/**
 * CSMS-initiated commands kept durably for an offline station (`whenOffline: 'queue'`) and delivered,
 * in `id` order, through its actor's outbound queue when it is back.
 */
export interface QueuedCommandsTable {
  id: Generated<string>;
  station_id: string;
  action: string;
  /** The CALL payload, validated against `ocpp_version`'s request schema when queued. */
  payload: Json<Record<string, unknown>>;
  /** The station's OCPP version when the command was queued. */
  ocpp_version: string;
  /** How long to wait for the station's answer once sent; null = the worker's default. */
  timeout_ms: number | null;
  /** queued → delivering → done (CALLRESULT) / failed (anything else); queued → expired. */
  status: QueuedCommandStatus;
  expires_at: Timestamp;
  /** The command's outcome (a `CommandOutcome` of @csms/bus) once done or failed; null before. */
  outcome: NullableJson;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type QueuedCommandRow = Selectable<QueuedCommandsTable>;

export type CampaignKind = 'firmware_update' | 'log_upload';
export type CampaignState = 'running' | 'completed' | 'canceled';
export type CampaignStationStatus =
  'pending' | 'sent' | 'accepted' | 'rejected' | 'offline' | 'failed' | 'succeeded' | 'canceled';

/** A firmware update or log upload over a set of stations (csms.firmware.v1.FirmwareService). */
export interface CampaignsTable {
  id: Generated<string>;
  kind: CampaignKind;
  /** running → completed (every station final) / canceled. */
  state: CampaignState;
  /** The firmware update or log upload parameters, as given (times as ISO 8601). */
  parameters: Json<Record<string, unknown>>;
  max_concurrency: number;
  station_count: number;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  completed_at: Timestamp | null;
  /** The service instance sending the commands, and until when its lease holds (renewed while sending). */
  runner: string | null;
  lease_until: Timestamp | null;
}

/** One station of a campaign: its command and the progress its status notifications report. */
export interface CampaignStationsTable {
  id: Generated<string>;
  campaign_id: string;
  /** Not a foreign key: unknown ids are listed (as failed) and history outlives a deleted station. */
  station_id: string;
  status: CampaignStationStatus;
  reason: string | null;
  /** The OCPP action sent (UpdateFirmware, SignedUpdateFirmware, GetLog, GetDiagnostics). */
  action: string | null;
  ocpp_version: string | null;
  /** From `campaign_request_id_seq`, one per send; null for commands without a requestId. */
  request_id: number | null;
  filename: string | null;
  /** The latest status notification for this command (e.g. Downloading) and when it arrived. */
  notification_status: string | null;
  notification_at: Timestamp | null;
  sent_at: Timestamp | null;
  updated_at: UpdatedAt;
}

export type CampaignRow = Selectable<CampaignsTable>;
export type CampaignStationRow = Selectable<CampaignStationsTable>;

/** The local authorization list version a station accepted last (no row = version 0, no list). */
export interface LocalAuthListsTable {
  station_id: string;
  version: number;
  updated_at: UpdatedAt;
}

/** 1.6 idTagInfo.status / 2.0.1 idTokenInfo.status values a local list entry may carry. */
export type LocalAuthListEntryStatus = IdTokenStatus | 'ConcurrentTx';

/** One entry of a station's accepted local authorization list. */
export interface LocalAuthListEntriesTable {
  station_id: string;
  id_token: string;
  /** 2.0.1 IdTokenEnumType; null for lists of 1.6 stations. */
  type: string | null;
  status: LocalAuthListEntryStatus;
  expires_at: Timestamp | null;
  /** 1.6 parentIdTag / 2.0.1 groupIdToken. */
  group_id: string | null;
}

export type LocalAuthListEntryRow = Selectable<LocalAuthListEntriesTable>;

/**
 * Charging profiles a station accepted (csms.smart_charging.v1), one per (station, profile id).
 * `profile` is the OCPP payload as sent: 1.6 `csChargingProfiles` or 2.0.1 `chargingProfile`.
 */
export interface ChargingProfilesTable {
  station_id: string;
  profile_id: number;
  /** 1.6 connectorId / 2.0.1 evseId; 0 = the whole station. */
  evse_id: number;
  /** The OCPP chargingProfilePurpose of `ocpp_version` (1.6 ChargePointMaxProfile, 2.0.1 ChargingStationMaxProfile, ...). */
  purpose: string;
  stack_level: number;
  transaction_id: string | null;
  valid_from: Timestamp | null;
  valid_to: Timestamp | null;
  ocpp_version: string;
  profile: Json<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type ChargingProfileRow = Selectable<ChargingProfilesTable>;
