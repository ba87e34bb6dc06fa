import { storeExternalChargingLimit } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';
import { checkIds } from './common.js';

/**
 * NotifyChargingLimit (K11, K12, K14): a charging limit an external system imposed on the station. Stored as
 * received in station_notifications once (a retry of the same CALL, same message id and payload, is not stored
 * again) and as the station's external limit for its EVSE (0 when evseId is omitted: the grid connection) and
 * source, replacing the one before (the latest notification is the limit in force; SmartChargingService lists it
 * and applies it to composite schedules). Two writes: not in the autocommit set, they commit together. Empty
 * response per schema.
 */
export async function onNotifyChargingLimit(
  ctx: HandlerContext,
  request: V201.NotifyChargingLimitRequest,
): Promise<V201.NotifyChargingLimitResponse> {
  checkIds(ctx, { evseId: request.evseId });
  await storeNotification(ctx, 'NotifyChargingLimit', request);
  await storeExternalChargingLimit(ctx.db, {
    stationId: ctx.stationId,
    evseId: request.evseId,
    chargingLimitSource: request.chargingLimit.chargingLimitSource,
    isGridCritical: request.chargingLimit.isGridCritical,
    schedules: request.chargingSchedule ?? [],
  });
  return {};
}
