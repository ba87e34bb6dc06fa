import type { ChargingProfileRow } from '@csms/db';
import type { smartChargingV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { fromV16Profile, type V16ChargingProfile } from './profile-v16.js';
import { fromV201Profile } from './profile-v201.js';

/** The typed profile of a stored one, from the payload of the OCPP version it was sent with. */
export function typedStoredProfile(row: ChargingProfileRow): api.ChargingProfile {
  return row.ocpp_version === 'ocpp1.6'
    ? fromV16Profile(row.profile as unknown as V16ChargingProfile)
    : fromV201Profile(row.profile as unknown as V201.ChargingProfileType);
}

/** A stored profile as the API lists it. */
export function toStoredProfile(row: ChargingProfileRow): api.StoredChargingProfile {
  return {
    stationId: row.station_id,
    evseId: row.evse_id,
    profile: typedStoredProfile(row),
    ocppVersion: row.ocpp_version,
    updateTime: new Date(row.updated_at),
  };
}
