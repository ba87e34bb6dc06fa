import type { ProfileSelector } from '@csms/db';
import { RequestViolations, type smartChargingV1 as api } from '@csms/grpc';
import type { V16, V201 } from '@csms/ocpp';
import { ocpp } from './ocpp-enums.js';
import { isSpecified, type Conversion } from './profile-rules.js';
import type { SmartChargingVersion } from './station-version.js';

export interface ClearCall {
  /** The ClearChargingProfile payload of the station's version. */
  readonly payload: V16.ClearChargingProfileRequest | V201.ClearChargingProfileRequest;
  /** The stored profiles to delete when the station accepts. */
  readonly selector: ProfileSelector;
}

/**
 * The ClearChargingProfile request for a station's version: by profile id, or by criteria (EVSE,
 * purpose, stack level). OCPP 2.0.1 requires one of them (K10.FR.02); an OCPP 1.6 request without
 * either clears every profile (1.6 §6.13, OCTT TC_067_CSMS step 7).
 */
export function toClearChargingProfile(
  version: SmartChargingVersion,
  request: api.ClearChargingProfileRequest,
): Conversion<ClearCall> {
  const v = new RequestViolations();
  const purpose = ocpp.purpose(request.purpose);
  if (purpose === undefined && isSpecified(request.purpose)) v.add('purpose', 'unknown value');
  const hasCriteria =
    request.evseId !== undefined || isSpecified(request.purpose) || request.stackLevel !== undefined;
  if (request.profileId !== undefined) {
    v.check(request.profileId > 0, 'profile_id', 'must be > 0');
    // K10.FR.02: either an id or criteria.
    if (hasCriteria)
      v.add('profile_id', 'give either profile_id or criteria (evse_id, purpose, stack_level)');
  } else if (!hasCriteria && version === 'ocpp2.0.1') {
    v.add(
      'profile_id',
      'OCPP 2.0.1 requires profile_id or criteria (evse_id, purpose, stack_level) (K10.FR.02)',
    );
  }
  if (request.evseId !== undefined) v.check(request.evseId >= 0, 'evse_id', 'must be >= 0');
  if (request.stackLevel !== undefined) v.check(request.stackLevel >= 0, 'stack_level', 'must be >= 0');
  // K10.FR.06: external constraints are not the CSMS's to clear.
  if (purpose === 'ChargingStationExternalConstraints')
    v.add('purpose', 'the CSMS may not clear ChargingStationExternalConstraints (K10.FR.06)');
  if (!v.empty) return { ok: false, violations: v.list };
  const neutralPurpose = purpose as Exclude<typeof purpose, 'ChargingStationExternalConstraints'>;
  if (request.profileId !== undefined) {
    const payload =
      version === 'ocpp1.6' ? { id: request.profileId } : { chargingProfileId: request.profileId };
    return { ok: true, value: { payload, selector: { profileId: request.profileId } } };
  }
  const selector = {
    ...(request.evseId !== undefined ? { evseId: request.evseId } : {}),
    ...(neutralPurpose !== undefined ? { purpose: neutralPurpose } : {}),
    ...(request.stackLevel !== undefined ? { stackLevel: request.stackLevel } : {}),
  };
  if (version === 'ocpp1.6') {
    const payload: V16.ClearChargingProfileRequest = {
      ...(request.evseId !== undefined ? { connectorId: request.evseId } : {}),
      ...(neutralPurpose !== undefined
        ? {
            chargingProfilePurpose:
              neutralPurpose === 'ChargingStationMaxProfile' ? 'ChargePointMaxProfile' : neutralPurpose,
          }
        : {}),
      ...(request.stackLevel !== undefined ? { stackLevel: request.stackLevel } : {}),
    };
    return { ok: true, value: { payload, selector } };
  }
  const chargingProfileCriteria: V201.ClearChargingProfileType = {
    ...(request.evseId !== undefined ? { evseId: request.evseId } : {}),
    ...(neutralPurpose !== undefined ? { chargingProfilePurpose: neutralPurpose } : {}),
    ...(request.stackLevel !== undefined ? { stackLevel: request.stackLevel } : {}),
  };
  return { ok: true, value: { payload: { chargingProfileCriteria }, selector } };
}
