import type { Generated, Selectable } from 'kysely';
import type { CreatedAt, NullableJson, Timestamp, UpdatedAt } from '../column-types.js';

/**
 * How the CSMS learned of a monitor: `csms` = set through the CSMS (SetVariableMonitoringResponse Accepted, N04),
 * `station` = reported by the station (NotifyMonitoringReport, N02) and not set through the CSMS.
 */
export type MonitorSource = 'csms' | 'station';

/**
 * What kind of monitor it is on the station (OCPP 2.0.1 EventNotificationEnumType spellings): a monitor set by the
 * CSMS is a CustomMonitor (N04.FR.15); the kind of a reported one is learned from the station's NotifyEvent
 * eventNotificationType when it triggers (2.0.1 reports do not say), null until then.
 */
export type MonitorKind = 'CustomMonitor' | 'HardWiredMonitor' | 'PreconfiguredMonitor';

/**
 * The variable monitors of OCPP 2.0.1 stations (functional block N), as far as the CSMS knows: one row per
 * (station, monitor id), written when the station accepted a SetVariableMonitoringRequest (N04) with the id it
 * assigned, removed when it answered a ClearVariableMonitoringRequest Accepted or NotFound (N06), and reconciled
 * with the station's NotifyMonitoringReportRequests (N02).
 */
export interface VariableMonitorsTable {
  station_id: string;
  /** VariableMonitoringType.id / SetMonitoringResultType.id: the id the station gave the monitor. */
  monitor_id: number;
  component_name: string;
  component_instance: string | null;
  evse_id: number | null;
  connector_id: number | null;
  variable_name: string;
  variable_instance: string | null;
  /** MonitorEnumType: UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned. */
  type: string;
  /** The monitor value (a threshold, a delta, or seconds for the periodic types). */
  value: number;
  /** 0 (Danger) .. 9 (Debug). */
  severity: number;
  /** Only monitored during a transaction. */
  transaction: boolean;
  source: MonitorSource;
  kind: MonitorKind | null;
  /** The requestId of the NotifyMonitoringReport that last confirmed it; null when set and not reported since. */
  request_id: number | null;
  /** When the station last confirmed it. */
  confirmed_at: UpdatedAt;
  /** From the sequence variable_monitor_confirmations at each confirmation: orders it against report requests. */
  confirm_seq: Generated<string>;
}

/** The filter of a GetMonitoringReportRequest (N02): criteria AND componentVariables (each empty = all). */
export interface MonitoringReportCriteria {
  /** MonitoringCriterionEnumType: ThresholdMonitoring, DeltaMonitoring, PeriodicMonitoring (OR). */
  readonly monitoringCriteria?: readonly string[];
  /** OCPP ComponentVariableType entries (OR); a missing part matches every value (N02.FR.16-21). */
  readonly componentVariable?: readonly ReportComponentVariable[];
}

/** An OCPP 2.0.1 ComponentVariableType as stored with a request. */
export interface ReportComponentVariable {
  readonly component: {
    readonly name: string;
    readonly instance?: string;
    readonly evse?: { readonly id: number; readonly connectorId?: number };
  };
  readonly variable?: { readonly name: string; readonly instance?: string };
}

/**
 * The GetMonitoringReportRequests of a station whose report the CSMS follows (N02), one row per (station,
 * requestId): their criteria, the station's answer and whether the report is whole and reconciled.
 */
export interface MonitoringReportRequestsTable {
  station_id: string;
  request_id: number;
  /** Null when the request was not recorded before its report arrived (sent another way). */
  criteria: NullableJson<MonitoringReportCriteria>;
  /** GenericDeviceModelStatusEnumType once answered: Accepted, Rejected, NotSupported, EmptyResultSet. */
  status: string | null;
  /** The last part (tbc false) arrived, or the station answered without a report: nothing more to reconcile. */
  complete: Generated<boolean>;
  created_at: CreatedAt;
  /** From the sequence variable_monitor_confirmations when recorded: monitors confirmed later are not judged. */
  seq: Generated<string>;
}

/** The monitoring base (N03) and level (N05) each station last accepted. */
export interface MonitoringSettingsTable {
  station_id: string;
  /** MonitoringBaseEnumType: All, FactoryDefault, HardWiredOnly; null = never set through the CSMS. */
  monitoring_base: string | null;
  monitoring_base_at: Timestamp | null;
  /** Severity 0..9: the station reports events of this severity or a more severe one (N05.FR.03). */
  monitoring_level: number | null;
  monitoring_level_at: Timestamp | null;
  updated_at: UpdatedAt;
}

/**
 * The monitor events of NotifyEventRequests (N07/N08): one row per eventData that names a variableMonitoringId,
 * with the monitor's severity as the CSMS knew it when the event arrived (null: no such monitor stored). The
 * NotifyEvent itself is kept as received in device_events, (station, generated_at, seq_no) being the same.
 */
export interface MonitoringEventsTable {
  station_id: string;
  generated_at: Timestamp;
  seq_no: number;
  event_id: number;
  monitor_id: number;
  severity: number | null;
  /** EventTriggerEnumType: Alerting, Delta, Periodic. */
  trigger: string;
  /** EventNotificationEnumType: HardWiredNotification, HardWiredMonitor, PreconfiguredMonitor, CustomMonitor. */
  notification_type: string;
  /** A threshold's alert ended (N07.FR.02). */
  cleared: boolean;
  actual_value: string;
  component_name: string;
  variable_name: string;
  /** When the event happened on the station (eventData.timestamp). */
  timestamp: Timestamp;
  received_at: CreatedAt;
}

export interface MonitoringTables {
  variable_monitors: VariableMonitorsTable;
  monitoring_report_requests: MonitoringReportRequestsTable;
  monitoring_settings: MonitoringSettingsTable;
  monitoring_events: MonitoringEventsTable;
}

export type VariableMonitorRow = Selectable<VariableMonitorsTable>;
export type MonitoringReportRequestRow = Selectable<MonitoringReportRequestsTable>;
export type MonitoringSettingsRow = Selectable<MonitoringSettingsTable>;
export type MonitoringEventRow = Selectable<MonitoringEventsTable>;
