import {
  findStation,
  listStoredProfiles,
  type ChargingProfileRow,
  type Database,
  type Kysely,
} from '@csms/db';
import {
  ApiErrors,
  INT32_KEY,
  RequestViolations,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  requireStationId,
  smartChargingV1 as api,
} from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { ocpp } from './ocpp-enums.js';
import { fromV16Profile, type V16ChargingProfile } from './profile-v16.js';
import { fromV201Profile } from './profile-v201.js';

/** GetChargingProfiles: the stored (accepted) profiles of a station, filtered, by profile id. */
export async function getChargingProfiles(
  db: Kysely<Database>,
  request: api.GetChargingProfilesRequest,
): Promise<api.GetChargingProfilesResponse> {
  requireStationId(request.stationId);
  const v = new RequestViolations();
  if (request.evseId !== undefined) v.check(request.evseId >= 0, 'evse_id', 'must be >= 0');
  if (request.stackLevel !== undefined) v.check(request.stackLevel >= 0, 'stack_level', 'must be >= 0');
  const purpose = ocpp.purpose(request.purpose);
  if (
    purpose === undefined &&
    request.purpose !== api.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_UNSPECIFIED
  )
    v.add('purpose', 'unknown value');
  v.throwIfAny('invalid filter');
  const pageSize = pageSizeOf(request.pageSize);
  const afterKey = decodePageToken(request.pageToken, INT32_KEY);
  const after = afterKey === undefined ? undefined : Number(afterKey);
  if (!(await findStation(db, request.stationId))) throw ApiErrors.notFound('station', request.stationId);
  const rows = await listStoredProfiles(
    db,
    request.stationId,
    {
      ...(request.evseId !== undefined ? { evseId: request.evseId } : {}),
      ...(purpose !== undefined ? { purpose } : {}),
      ...(request.stackLevel !== undefined ? { stackLevel: request.stackLevel } : {}),
    },
    after,
    pageSize + 1,
  );
  const page = rows.slice(0, pageSize);
  return {
    profiles: page.map(toStoredProfile),
    nextPageToken: rows.length > pageSize ? encodePageToken(page[page.length - 1]!.profile_id) : '',
  };
}

function toStoredProfile(row: ChargingProfileRow): api.StoredChargingProfile {
  return {
    stationId: row.station_id,
    evseId: row.evse_id,
    profile:
      row.ocpp_version === 'ocpp1.6'
        ? fromV16Profile(row.profile as unknown as V16ChargingProfile)
        : fromV201Profile(row.profile as unknown as V201.ChargingProfileType),
    ocppVersion: row.ocpp_version,
    updateTime: new Date(row.updated_at),
  };
}
