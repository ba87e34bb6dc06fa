import { storeReportedProfiles } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { checkIds } from './common.js';

/**
 * ReportChargingProfiles (K09): one part of a station's answer to a GetChargingProfilesRequest, with the
 * requestId it was asked with (K09.FR.01), one evseId and chargingLimitSource, and `tbc` on every part but the
 * last (K09.FR.02). Every part is accepted and its profiles are stored as reported, in the CALL's transaction
 * (a retry of the same CALL is stored once); they never change the profiles the CSMS installed itself, whatever
 * their chargingLimitSource. The smart-charging API reads them (GetChargingProfiles with the station's view).
 * Empty response per schema.
 */
export async function onReportChargingProfiles(
  ctx: HandlerContext,
  request: V201.ReportChargingProfilesRequest,
): Promise<V201.ReportChargingProfilesResponse> {
  checkIds(ctx, { evseId: request.evseId });
  const tbc = request.tbc ?? false;
  const receivedAt = new Date(ctx.call.receivedAt);
  const stored = await storeReportedProfiles(ctx.db, {
    stationId: ctx.stationId,
    requestId: request.requestId,
    evseId: request.evseId,
    chargingLimitSource: request.chargingLimitSource,
    profiles: request.chargingProfile,
    tbc,
    messageId: ctx.call.messageId,
    ...(Number.isNaN(receivedAt.getTime()) ? {} : { receivedAt }),
  });
  if (stored) {
    ctx.emit('charging-profiles-reported', {
      requestId: request.requestId,
      evseId: request.evseId,
      chargingLimitSource: request.chargingLimitSource,
      profileIds: request.chargingProfile.map((p) => p.id),
      tbc,
    });
  }
  return {};
}
