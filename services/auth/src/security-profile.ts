import { setSecurityProfile } from '@csms/db';
import { ApiErrors, RequestViolations, type authV1 } from '@csms/grpc';
import type { AuthServiceDeps } from './deps.js';
import { existingStation } from './station-lookup.js';

/**
 * Stores the security profile a station must connect with; the edge applies it from the station's next
 * connection. Nothing is sent to the station: raising its profile also needs the station reconfigured
 * (1.6 ChangeConfiguration SecurityProfile, A05; 2.0.1 SetNetworkProfile, B09) and, for profiles 2 and 3,
 * certificates installed — until then it can no longer connect.
 */
export async function setStationSecurityProfile(
  deps: Pick<AuthServiceDeps, 'db' | 'logger'>,
  request: authV1.SetStationSecurityProfileRequest,
): Promise<authV1.SetStationSecurityProfileResponse> {
  const v = new RequestViolations();
  if (
    !Number.isInteger(request.securityProfile) ||
    request.securityProfile < 0 ||
    request.securityProfile > 3
  )
    v.add('security_profile', 'must be 0, 1, 2 or 3');
  v.throwIfAny('invalid security profile');
  const station = await existingStation(deps.db, request.stationId);
  // Profiles 1 and 2 authenticate with Basic auth (A00.FR.202 / A00.FR.301): without a stored password
  // the station could never connect again.
  if ((request.securityProfile === 1 || request.securityProfile === 2) && station.password_hash === null)
    throw ApiErrors.failedPrecondition(
      'PASSWORD_REQUIRED',
      `station ${station.id} has no Basic-auth password; set one first (RotateStationPassword or UpdateStation)`,
      { stationId: station.id },
    );
  await setSecurityProfile(deps.db, station.id, request.securityProfile);
  deps.logger.info(
    { stationId: station.id, from: station.security_profile, to: request.securityProfile },
    'station security profile changed',
  );
  return { securityProfile: request.securityProfile, previousSecurityProfile: station.security_profile };
}
