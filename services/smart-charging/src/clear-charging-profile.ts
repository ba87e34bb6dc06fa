import { deleteStoredProfiles } from '@csms/db';
import {
  abortable,
  invalidRequest,
  requireStationId,
  smartChargingV1 as api,
  type CallContext,
} from '@csms/grpc';
import type { V16, V201 } from '@csms/ocpp';
import { toClearChargingProfile } from './clear-request.js';
import { statusInfoOf } from './composite-schedule.js';
import type { SmartChargingServiceDeps } from './deps.js';
import { callStation } from './station-call.js';
import { stationVersion } from './station-version.js';

/** ClearChargingProfile (2.0.1 K10): sends the clear and deletes the stored profiles it matched once accepted. */
export async function clearChargingProfile(
  deps: SmartChargingServiceDeps,
  request: api.ClearChargingProfileRequest,
  context: CallContext,
): Promise<api.ClearChargingProfileResponse> {
  requireStationId(request.stationId);
  const version = await stationVersion(deps.db, request.stationId);
  const conversion = toClearChargingProfile(version, request);
  if (!conversion.ok) throw invalidRequest('invalid clear request', conversion.violations);
  const work = (async (): Promise<api.ClearChargingProfileResponse> => {
    const answer = await callStation<V16.ClearChargingProfileResponse | V201.ClearChargingProfileResponse>(
      deps.stations,
      request.stationId,
      'ClearChargingProfile',
      conversion.value.payload,
    );
    // Only an Accepted clear removed profiles on the station (K10.FR.03, K10.FR.04); Unknown means
    // it had none matching (K10.FR.01), and the store is left as it is.
    if (answer.status === 'Accepted') {
      const deleted = await deleteStoredProfiles(deps.db, request.stationId, conversion.value.selector);
      deps.logger.debug({ stationId: request.stationId, deleted }, 'charging profiles cleared');
    }
    return {
      status:
        answer.status === 'Accepted'
          ? api.ClearChargingProfileStatus.CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED
          : api.ClearChargingProfileStatus.CLEAR_CHARGING_PROFILE_STATUS_UNKNOWN,
      statusInfo: 'statusInfo' in answer ? statusInfoOf(answer.statusInfo) : undefined,
    };
  })();
  return abortable(work, context.signal);
}
