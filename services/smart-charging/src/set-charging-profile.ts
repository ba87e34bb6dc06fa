import { findConflictingProfile, saveAcceptedProfile } from '@csms/db';
import {
  ApiErrors,
  abortable,
  invalidRequest,
  requireStationId,
  smartChargingV1 as api,
  type CallContext,
} from '@csms/grpc';
import type { V16, V201 } from '@csms/ocpp';
import { statusInfoOf } from './composite-schedule.js';
import type { SmartChargingServiceDeps } from './deps.js';
import { ocpp } from './ocpp-enums.js';
import type { Conversion } from './profile-rules.js';
import { toV16SetChargingProfile } from './profile-v16.js';
import { toV201SetChargingProfile } from './profile-v201.js';
import { callStation } from './station-call.js';
import { stationVersion, type SmartChargingVersion } from './station-version.js';

type SetRequest = V16.SetChargingProfileRequest | V201.SetChargingProfileRequest;

/**
 * SetChargingProfile (1.6 Smart Charging, 2.0.1 K01): converts the profile for the station's version, refuses
 * a 2.0.1 profile that conflicts with a stored one, sends it, and stores it once the station accepted it.
 */
export async function setChargingProfile(
  deps: SmartChargingServiceDeps,
  request: api.SetChargingProfileRequest,
  context: CallContext,
): Promise<api.SetChargingProfileResponse> {
  const { db, logger } = deps;
  requireStationId(request.stationId);
  const profile = request.profile;
  if (!profile)
    throw ApiErrors.invalidArgument('profile is required', [{ field: 'profile', description: 'required' }]);
  const version = await stationVersion(db, request.stationId);
  const conversion: Conversion<SetRequest> =
    version === 'ocpp1.6'
      ? toV16SetChargingProfile(request.evseId, profile)
      : toV201SetChargingProfile(request.evseId, profile);
  if (!conversion.ok) throw invalidRequest('invalid charging profile', conversion.violations);
  const stored = storedProfileOf(request.stationId, request.evseId, profile, version);
  if (version === 'ocpp2.0.1') {
    // K01.FR.06 / K01.FR.39: the CSMS must not send a profile that would be valid at the same time
    // as another one at the same stack level for the same purpose and EVSE (or transaction).
    const conflict = await findConflictingProfile(db, stored);
    if (conflict !== undefined)
      throw ApiErrors.failedPrecondition(
        'PROFILE_CONFLICT',
        `station ${request.stationId} has profile ${conflict} with the same stack level and purpose on ` +
          `the same ${stored.purpose === 'TxProfile' ? 'transaction' : 'EVSE'} with an overlapping ` +
          `validity (K01.FR.06, K01.FR.39): clear it or reuse its id`,
        { stationId: request.stationId, conflictingProfileId: String(conflict) },
      );
  }
  const work = (async (): Promise<api.SetChargingProfileResponse> => {
    const answer = await callStation<V16.SetChargingProfileResponse | V201.SetChargingProfileResponse>(
      deps.stations,
      request.stationId,
      'SetChargingProfile',
      conversion.value,
    );
    if (answer.status === 'Accepted') {
      const payload =
        'csChargingProfiles' in conversion.value
          ? conversion.value.csChargingProfiles
          : conversion.value.chargingProfile;
      await saveAcceptedProfile(db, { ...stored, ocppVersion: version, payload: { ...payload } }).catch(
        (error: unknown) => {
          logger.error(
            { err: error, stationId: request.stationId, profileId: profile.id },
            'storing an accepted charging profile failed',
          );
          throw error;
        },
      );
    }
    return {
      status: profileStatus(answer.status),
      statusInfo: 'statusInfo' in answer ? statusInfoOf(answer.statusInfo) : undefined,
    };
  })();
  return abortable(work, context.signal);
}

/** The columns a profile is stored (and checked for conflicts) by. */
function storedProfileOf(
  stationId: string,
  evseId: number,
  profile: api.ChargingProfile,
  version: SmartChargingVersion,
) {
  return {
    stationId,
    evseId,
    profileId: profile.id,
    purpose: ocpp.purpose(profile.purpose)!,
    stackLevel: profile.stackLevel,
    // As the transactions table keeps it (1.6: the integer in decimal, no leading zeros), so the profile
    // is found and deleted when its transaction ends (K02.FR.05).
    transactionId:
      profile.transactionId === undefined || profile.transactionId === ''
        ? undefined
        : version === 'ocpp1.6'
          ? String(Number(profile.transactionId))
          : profile.transactionId,
    validFrom: profile.validFrom,
    validTo: profile.validTo,
  };
}

function profileStatus(status: string): api.ChargingProfileStatus {
  switch (status) {
    case 'Accepted':
      return api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_ACCEPTED;
    case 'NotSupported':
      return api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_NOT_SUPPORTED;
    default:
      return api.ChargingProfileStatus.CHARGING_PROFILE_STATUS_REJECTED;
  }
}
