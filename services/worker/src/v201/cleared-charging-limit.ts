import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';
import { checkIds } from './common.js';

/** ClearedChargingLimit (K13): an external charging limit was released. Logged in station_notifications (a retry is logged again); empty response per schema. */
export async function onClearedChargingLimit(
  ctx: HandlerContext,
  request: V201.ClearedChargingLimitRequest,
): Promise<V201.ClearedChargingLimitResponse> {
  checkIds(ctx, { evseId: request.evseId });
  await storeNotification(ctx, 'ClearedChargingLimit', request);
  return {};
}
