import { saveAcceptedProfile } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { CommandContext } from '../handler.js';

/**
 * After a 2.0.1 station accepted a SetChargingProfileRequest: the profile is stored as installed (`charging_profiles`),
 * however it was sent: the TxProfiles the actor queues for ISO 15118 smart charging (K15-K17), the typed or generic
 * command APIs, and the SmartChargingService (which stores it again once it has the answer: the same row).
 */
export async function afterSetChargingProfile(
  ctx: CommandContext,
  request: V201.SetChargingProfileRequest,
  response: V201.SetChargingProfileResponse,
): Promise<void> {
  if (response.status !== 'Accepted') return;
  const profile = request.chargingProfile;
  await saveAcceptedProfile(ctx.db, {
    stationId: ctx.stationId,
    evseId: request.evseId,
    ocppVersion: 'ocpp2.0.1',
    profileId: profile.id,
    purpose: profile.chargingProfilePurpose,
    stackLevel: profile.stackLevel,
    transactionId: profile.transactionId === '' ? undefined : profile.transactionId,
    validFrom: profile.validFrom === undefined ? undefined : new Date(profile.validFrom),
    validTo: profile.validTo === undefined ? undefined : new Date(profile.validTo),
    payload: { ...profile },
  });
}
