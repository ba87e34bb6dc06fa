import { expireReservations, removeReservationsOf, upsertConnectorStatus } from '@csms/db';
import type { V16 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { checkConnectorId, connectorKey, parseTimestamp } from './common.js';

/**
 * StatusNotification (OCPP 1.6 §4.9, §6.47): stores the connector's status (connector 0 = the Charge
 * Point main controller). A status older than the stored one (queued while offline, delivered late)
 * does not overwrite it.
 */
export async function onStatusNotification(
  ctx: HandlerContext,
  request: V16.StatusNotificationRequest,
): Promise<V16.StatusNotificationResponse> {
  checkConnectorId(ctx, request.connectorId, 0);
  // §6.47: "If absent time of receipt of the message will be assumed."
  const at =
    request.timestamp !== undefined ? parseTimestamp(request.timestamp, 'timestamp') : receiptTime(ctx);
  const { evseId, connectorId } = connectorKey(request.connectorId);
  const { stored, previous } = await upsertConnectorStatus(ctx.db, {
    stationId: ctx.stationId,
    evseId,
    connectorId,
    status: request.status,
    errorCode: request.errorCode,
    info: request.info,
    vendorId: request.vendorId,
    vendorErrorCode: request.vendorErrorCode,
    at,
  });
  if (stored && (previous?.status !== request.status || previous.errorCode !== request.errorCode)) {
    ctx.emit('status-changed', {
      evseId,
      connectorId,
      status: request.status,
      previousStatus: previous?.status ?? null,
      errorCode: request.errorCode,
      info: request.info ?? null,
      vendorErrorCode: request.vendorErrorCode ?? null,
      timestamp: at.toISOString(),
    });
  }
  if (stored) await endReservationsOnStatus(ctx, request, previous?.status);
  return {};
}

/**
 * 1.6 §5.13: a reservation SHALL be terminated when (3) the Charge Point or connector are set to Faulted or
 * Unavailable, and (2) at its expiryDate, after which the station reports the connector Available again; 1.6 has no
 * ReservationStatusUpdate, so the CSMS ends them here (2.0.1 stations say so themselves, H01.FR.16/17, H04.FR.01).
 * A second write only for these rare statuses; each is idempotent (only `active` rows change), so a retry of a CALL
 * whose first statement committed alone completes it.
 */
async function endReservationsOnStatus(
  ctx: HandlerContext,
  request: V16.StatusNotificationRequest,
  previousStatus: string | undefined,
): Promise<void> {
  let ended;
  if (request.status === 'Faulted' || request.status === 'Unavailable')
    ended = await removeReservationsOf(
      ctx.db,
      ctx.stationId,
      request.connectorId === 0 ? 'station' : request.connectorId,
    );
  else if (previousStatus === 'Reserved' && request.status !== 'Reserved')
    ended = await expireReservations(ctx.db, ctx.now(), ctx.stationId);
  for (const r of ended ?? [])
    ctx.emit('reservation-ended', {
      reservationId: r.reservation_id,
      status: r.status,
      connectorId: r.evse_id ?? 0,
    });
}

function receiptTime(ctx: HandlerContext): Date {
  const received = new Date(ctx.call.receivedAt);
  return Number.isNaN(received.getTime()) ? ctx.now() : received;
}
