import type { Selectable } from 'kysely';
import type { CreatedAt, Json, Timestamp, UpdatedAt } from '../column-types.js';

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

export interface ChargingProfileTables {
  charging_profiles: ChargingProfilesTable;
}

export type ChargingProfileRow = Selectable<ChargingProfilesTable>;
