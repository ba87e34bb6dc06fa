import { clearExternalChargingLimits } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';
import { checkIds } from './common.js';

/**
 * ClearedChargingLimit (K13, K14.FR.03): an external charging limit was released. Stored as received in
 * station_notifications once (a retry of the same CALL is not stored again), and the released limits are
 * forgotten: those of the source on the given EVSE, or, when the request names no EVSE, every limit of that
 * source on the station (the external system released its limit; the message has nothing narrower). Two writes:
 * not in the autocommit set, they commit together. Empty response per schema.
 */
export async function onClearedChargingLimit(
  ctx: HandlerContext,
  request: V201.ClearedChargingLimitRequest,
): Promise<V201.ClearedChargingLimitResponse> {
  checkIds(ctx, { evseId: request.evseId });
  await storeNotification(ctx, 'ClearedChargingLimit', request);
  await clearExternalChargingLimits(ctx.db, ctx.stationId, request.chargingLimitSource, request.evseId);
  return {};
}
