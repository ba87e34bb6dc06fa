import type { Generated, Selectable } from 'kysely';
import type { CreatedAt, Json, NullableJson, Timestamp, UpdatedAt } from '../column-types.js';

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

/**
 * Charging profiles an OCPP 2.0.1 station reported (ReportChargingProfilesRequest, K09), one row per reported
 * profile, kept as reported: the CSMS's own installed set is `charging_profiles`. `profile` is the 2.0.1
 * ChargingProfileType as the station sent it.
 */
export interface ReportedChargingProfilesTable {
  id: Generated<string>;
  station_id: string;
  /** The requestId of the GetChargingProfilesRequest the report answers (K09.FR.01). */
  request_id: number;
  /** The EVSE the station reported it on; 0 = the station itself (the grid connection). */
  evse_id: number;
  /** Who installed it (OCPP ChargingLimitSourceEnumType: CSO, EMS, SO, Other). */
  charging_limit_source: string;
  profile_id: number;
  profile: Json<Record<string, unknown>>;
  /** The tbc of its ReportChargingProfilesRequest: false on the report's last part (K09.FR.02). */
  tbc: boolean;
  /** Hash of the CALL's message id and payload: a retried CALL is stored once. */
  dedupe_key: string;
  /** Its position in its ReportChargingProfilesRequest. */
  position: number;
  received_at: CreatedAt;
}

/**
 * The external charging limits OCPP 2.0.1 stations reported (NotifyChargingLimitRequest, K11/K12/K14), one row per
 * (station, EVSE, charging limit source): a newer notification replaces it, a ClearedChargingLimitRequest (K13/K14)
 * deletes it.
 */
export interface ExternalChargingLimitsTable {
  station_id: string;
  /** The notification's evseId; 0 = the whole station (grid connection: evseId omitted). */
  evse_id: number;
  /** OCPP ChargingLimitSourceEnumType: EMS, Other, SO (CSO as reported, though K11.FR.05 forbids it). */
  charging_limit_source: string;
  is_grid_critical: boolean | null;
  /** The 2.0.1 ChargingScheduleTypes the station sent (K11.FR.03, K12.FR.03), as sent; [] when none. */
  schedules: Json<Record<string, unknown>[]>;
  /** When the CSMS received the (latest) notification. */
  received_at: UpdatedAt;
}

/**
 * The charging needs an EV sent through its OCPP 2.0.1 station (NotifyEVChargingNeedsRequest, ISO 15118, K15/K17), the
 * latest per (station, transaction): the transaction active on the request's EVSE.
 */
export interface EvChargingNeedsTable {
  station_id: string;
  transaction_id: string;
  evse_id: number;
  /** ChargingNeedsType as sent (requestedEnergyTransfer, departureTime, AC / DC parameters). */
  charging_needs: Json<Record<string, unknown>>;
  max_schedule_tuples: number | null;
  /** The NotifyEVChargingNeedsResponse status the CSMS answered (Accepted / Rejected / Processing). */
  status: string;
  /**
   * The limit an operator set for the transaction when asking for a renegotiation (K16, RenegotiateChargingSchedule):
   * `{ limit, chargingRateUnit }`, kept for later schedules of the transaction; null when none.
   */
  operator_limit: NullableJson<{ limit: number; chargingRateUnit: string }>;
  received_at: UpdatedAt;
}

/** The charging schedule an EV chose (NotifyEVChargingScheduleRequest, K15-K17), the latest per (station, transaction). */
export interface EvChargingSchedulesTable {
  station_id: string;
  transaction_id: string;
  evse_id: number;
  time_base: Timestamp;
  /** ChargingScheduleType as sent. */
  charging_schedule: Json<Record<string, unknown>>;
  /** The NotifyEVChargingScheduleResponse status the CSMS answered (Accepted: within its limits, else Rejected). */
  status: string;
  received_at: UpdatedAt;
}

/**
 * A site: stations behind one grid connection. The schedules the CSMS computes for EVs charging at its stations
 * (K15-K17) add up to at most `max_power_w` at every moment, with the TxProfiles the CSMS installed for the site's
 * other transactions (charging-sites.ts).
 */
export interface ChargingSitesTable {
  site_id: string;
  /** W, > 0. */
  max_power_w: number;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** The site a station belongs to (one at most). */
export interface ChargingSiteStationsTable {
  station_id: string;
  site_id: string;
}

export interface ChargingProfileTables {
  charging_profiles: ChargingProfilesTable;
  reported_charging_profiles: ReportedChargingProfilesTable;
  external_charging_limits: ExternalChargingLimitsTable;
  ev_charging_needs: EvChargingNeedsTable;
  ev_charging_schedules: EvChargingSchedulesTable;
  charging_sites: ChargingSitesTable;
  charging_site_stations: ChargingSiteStationsTable;
}

export type ChargingProfileRow = Selectable<ChargingProfilesTable>;
export type ReportedChargingProfileRow = Selectable<ReportedChargingProfilesTable>;
export type ExternalChargingLimitRow = Selectable<ExternalChargingLimitsTable>;
export type EvChargingNeedsRow = Selectable<EvChargingNeedsTable>;
export type EvChargingScheduleRow = Selectable<EvChargingSchedulesTable>;
export type ChargingSiteRow = Selectable<ChargingSitesTable>;
