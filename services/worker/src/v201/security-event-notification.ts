import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';
import { parseTimestamp } from './common.js';

/**
 * SecurityEventNotification (A04): stored and confirmed (A04.FR.03). Events are queued with guaranteed
 * delivery (A04.FR.02), so the same one may arrive twice: (station, type, timestamp) is unique and a
 * repeat is a no-op.
 */
export async function onSecurityEventNotification(
  ctx: HandlerContext,
  request: V201.SecurityEventNotificationRequest,
): Promise<V201.SecurityEventNotificationResponse> {
  const timestamp = parseTimestamp(request.timestamp, 'timestamp');
  const r = await ctx.db
    .insertInto('security_events')
    .values({ station_id: ctx.stationId, type: request.type, timestamp, tech_info: request.techInfo ?? null })
    .onConflict((oc) => oc.columns(['station_id', 'type', 'timestamp']).doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0n) > 0) {
    // Not `type`: that key names the station event itself.
    ctx.emit('security-event', { securityEventType: request.type, timestamp: timestamp.toISOString() });
  }
  return {};
}
