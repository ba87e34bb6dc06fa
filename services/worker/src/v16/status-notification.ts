import { upsertConnectorStatus } from '@csms/db';
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
  return {};
}

function receiptTime(ctx: HandlerContext): Date {
  const received = new Date(ctx.call.receivedAt);
  return Number.isNaN(received.getTime()) ? ctx.now() : received;
}
