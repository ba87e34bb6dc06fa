import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * ReservationStatusUpdate (H04.FR.01, H01.FR.16/17): a reservation expired or was removed by the station.
 * Stored in station_notifications once (a retry of the same CALL, same message id and payload, is not
 * stored again); empty response per schema.
 */
export async function onReservationStatusUpdate(
  ctx: HandlerContext,
  request: V201.ReservationStatusUpdateRequest,
): Promise<V201.ReservationStatusUpdateResponse> {
  await storeNotification(ctx, 'ReservationStatusUpdate', request);
  return {};
}
