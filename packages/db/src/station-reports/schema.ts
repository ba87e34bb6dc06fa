import type { Generated } from 'kysely';
import type { CreatedAt, Json, Timestamp, UpdatedAt } from '../column-types.js';

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

/**
 * A station's per-message limits as the CSMS learned them (2.0.1 DeviceDataCtrlr / LocalAuthListCtrlr
 * ItemsPerMessage and BytesPerMessage, 1.6 GetConfigurationMaxKeys, SendLocalListMaxLength,
 * LocalAuthListMaxLength), one row per (station, limit name). `value` null: the station was asked (or
 * answered about it) and gave no usable value, so requests go unsplit and it is not asked again.
 */
export interface StationMessageLimitsTable {
  station_id: string;
  /** e.g. `DeviceDataCtrlr.ItemsPerMessage[GetVariables]`, `GetConfigurationMaxKeys`. */
  name: string;
  value: number | null;
  /** How it was learned: `answer` (a GetVariables / GetConfiguration answer) or `asked` (asked for it). */
  source: string;
  updated_at: UpdatedAt;
}

/** What stations report besides transactions and connector statuses, kept as received. */
export interface StationReportTables {
  security_events: SecurityEventsTable;
  station_notifications: StationNotificationsTable;
  device_reports: DeviceReportsTable;
  device_events: DeviceEventsTable;
  station_message_limits: StationMessageLimitsTable;
}
