import { endReservation } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { storeNotification } from '../notifications.js';

/**
 * ReservationStatusUpdate (H04.FR.01, H01.FR.16/17): a reservation expired or was removed by the station. Stored in
 * station_notifications once (a retry of the same CALL, same message id and payload, is not stored again), and the
 * station's active reservation with that id ends as `expired` / `removed` in the same database transaction (a retry
 * finds it ended and changes nothing); empty response per schema.
 */
export async function onReservationStatusUpdate(
  ctx: HandlerContext,
  request: V201.ReservationStatusUpdateRequest,
): Promise<V201.ReservationStatusUpdateResponse> {
  await storeNotification(ctx, 'ReservationStatusUpdate', request);
  const status = request.reservationUpdateStatus === 'Expired' ? 'expired' : 'removed';
  const ended = await endReservation(ctx.db, ctx.stationId, request.reservationId, status);
  if (ended) ctx.emit('reservation-ended', { reservationId: request.reservationId, status });
  else
    ctx.log.info(
      { reservationId: request.reservationId, status: request.reservationUpdateStatus },
      'ReservationStatusUpdate for no active reservation of the CSMS (unknown, or ended already)',
    );
  return {};
}
