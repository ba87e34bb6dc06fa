import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';
import { checkIds } from './common.js';

/**
 * ClearedChargingLimit (K13): an external charging limit was released. Stored in station_notifications once
 * (a retry of the same CALL, same message id and payload, is not stored again); empty response per schema.
 */
export async function onClearedChargingLimit(
  ctx: HandlerContext,
  request: V201.ClearedChargingLimitRequest,
): Promise<V201.ClearedChargingLimitResponse> {
  checkIds(ctx, { evseId: request.evseId });
  await storeNotification(ctx, 'ClearedChargingLimit', request);
  return {};
}
