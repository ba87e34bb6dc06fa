import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';
import { checkIds } from './common.js';

/**
 * NotifyChargingLimit (K11/K12): a charging limit imposed by an external system. Stored in
 * station_notifications once (a retry of the same CALL, same message id and payload, is not stored again);
 * empty response per schema.
 */
export async function onNotifyChargingLimit(
  ctx: HandlerContext,
  request: V201.NotifyChargingLimitRequest,
): Promise<V201.NotifyChargingLimitResponse> {
  checkIds(ctx, { evseId: request.evseId });
  await storeNotification(ctx, 'NotifyChargingLimit', request);
  return {};
}
