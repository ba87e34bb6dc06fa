import { upsertConnectorStatus } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { checkIds, parseTimestamp } from './common.js';

/**
 * StatusNotification (G01). Stores the connector's status; a notification older than the stored one (a
 * queued message delivered late) does not overwrite it. `status-changed` is emitted only when the stored
 * status was written.
 */
export async function onStatusNotification(
  ctx: HandlerContext,
  request: V201.StatusNotificationRequest,
): Promise<V201.StatusNotificationResponse> {
  const { evseId, connectorId, connectorStatus } = request;
  checkIds(ctx, { evseId, connectorId });
  const at = parseTimestamp(request.timestamp, 'timestamp');
  const { stored } = await upsertConnectorStatus(ctx.db, {
    stationId: ctx.stationId,
    evseId,
    connectorId,
    status: connectorStatus,
    at,
  });
  if (stored)
    ctx.emit('status-changed', { evseId, connectorId, status: connectorStatus, timestamp: at.toISOString() });
  return {};
}
